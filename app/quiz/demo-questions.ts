// The demo question bank: about forty questions on using the platform, Party-building basics and
// work safety, in all four types. Plain data (no imports at run time), so the end-to-end tests can
// read the answers too.
import type { QuestionDraft } from "./draft";

export const DEMO_BANK_NAME = "示范题库：平台使用·党建基础·安全生产";
export const DEMO_TAGS = { platform: "平台使用", party: "党建基础", safety: "安全生产" } as const;

type Q = Omit<QuestionDraft, "options" | "correct" | "tags" | "source" | "difficulty"> &
  Partial<Pick<QuestionDraft, "options" | "correct" | "difficulty" | "source">>;

function tagged(tag: string, list: Q[]): QuestionDraft[] {
  return list.map((q) => ({ options: [], correct: [], difficulty: 2, source: "", ...q, tags: [tag] }));
}

const platform = tagged(DEMO_TAGS.platform, [
  { type: "single", stem: "网上党校的每日答题每天有几道题？", options: ["3 道", "5 道", "10 道", "不限"], correct: [1], explanation: "每日答题每天 5 道题，答一题就能看到对错和解析。" },
  { type: "single", stem: "错题本中的题目，连续答对几次后会移出错题本？", options: ["1 次", "2 次", "3 次", "永远不会移出"], correct: [1], explanation: "同一道题连续答对 2 次，说明已经掌握，会自动移出错题本。" },
  { type: "single", stem: "观看视频课程，默认要真正看完时长的多少才算完成？", options: ["50%", "75%", "90%", "100%"], correct: [2], explanation: "按实际在前台观看的时长计算，默认看满 90% 即完成。" },
  { type: "true_false", stem: "把视频进度条直接拖到结尾，就能完成视频课程。", value: false, explanation: "完成按真正观看的秒数计算，拖动进度条不算观看。" },
  { type: "true_false", stem: "学习时网络中断，已经学习的进度会丢失。", value: false, explanation: "进度先保存在手机上，网络恢复后自动补报，不会丢失。" },
  { type: "true_false", stem: "时长 30 分钟及以上的课程，学完计 1 学时。", value: true, explanation: "30 分钟及以上计 1 学时，15–30 分钟计 0.5 学时，15 分钟以下计 0.25 学时。" },
  { type: "fill_blank", stem: "普通党员每年的学时要求是____学时。", blanks: [["32"]], explanation: "党员每年 32 学时；支部书记和支委委员每年 56 学时。" },
  { type: "single", stem: "支部书记和支委委员每年的学时要求是多少？", options: ["24 学时", "32 学时", "48 学时", "56 学时"], correct: [3], explanation: "支部书记和支委委员每年 56 学时。" },
  { type: "fill_blank", stem: "每日答题每答对一题得____个学习积分。", blanks: [["1", "一"]], explanation: "每日答题每答对一题得 1 分，每天最多 5 分。" },
  { type: "single", stem: "忘记登录密码时应该怎么办？", options: ["重新注册一个账号", "联系本支部组织委员重置密码", "用别人的账号登录", "等一个月后自动恢复"], correct: [1], explanation: "请联系本支部组织委员重置密码，首次登录时再改成自己的密码。" },
  { type: "multiple", stem: "登录网上党校可以使用下列哪些账号？", options: ["工号", "手机号", "身份证号", "单位名称"], correct: [0, 1], explanation: "可以用工号或手机号登录。" },
  { type: "true_false", stem: "填空题判分时，不区分全角和半角字符。", value: true, explanation: "全角、半角和空格都不影响判分，英文字母也不分大小写。" },
  { type: "true_false", stem: "通过课程的测验后，这门课程的学时会增加 0.5 学时。", value: true, explanation: "学完课程并通过测验，学时额外加 0.5。" },
  { type: "single", stem: "心得体会提交后，由谁审核？", options: ["所在党组织的组织员", "任何一名党员", "系统自动通过", "不需要审核"], correct: [0], explanation: "心得体会由所在党组织的组织员审核，可以通过、退回或设为精选。" },
]);

const party = tagged(DEMO_TAGS.party, [
  { type: "single", stem: "党的最高领导机关是什么？", options: ["党的全国代表大会和它所产生的中央委员会", "中央政治局", "中央书记处", "中央纪律检查委员会"], correct: [0], explanation: "党章规定，党的最高领导机关是党的全国代表大会和它所产生的中央委员会。", source: "《中国共产党章程》" },
  { type: "true_false", stem: "预备党员的预备期为一年。", value: true, explanation: "党章规定预备党员的预备期为一年。", source: "《中国共产党章程》" },
  { type: "multiple", stem: "“三会一课”中的“三会”是指哪几种会议？", options: ["支部党员大会", "支部委员会", "党小组会", "职工代表大会"], correct: [0, 1, 2], explanation: "“三会”是支部党员大会、支部委员会和党小组会，“一课”是党课。" },
  { type: "fill_blank", stem: "党的根本宗旨是____。", blanks: [["全心全意为人民服务"]], explanation: "全心全意为人民服务是党的根本宗旨。" },
  { type: "fill_blank", stem: "中国共产党成立于____年。", blanks: [["1921"]], explanation: "1921 年 7 月，中国共产党第一次全国代表大会召开，宣告党的成立。" },
  { type: "true_false", stem: "党员应当按照规定交纳党费。", value: true, explanation: "按期交纳党费是党员的义务，也是党员党性的体现。" },
  { type: "single", stem: "企业、村、学校等基层单位，凡有正式党员几人以上的，都应当成立党的基层组织？", options: ["2 人", "3 人", "5 人", "7 人"], correct: [1], explanation: "党章规定，凡是有正式党员三人以上的，都应当成立党的基层组织。", source: "《中国共产党章程》" },
  { type: "fill_blank", stem: "党的思想路线是一切从实际出发，理论联系实际，____，在实践中检验真理和发展真理。", blanks: [["实事求是"]], explanation: "实事求是是党的思想路线的核心。" },
  { type: "true_false", stem: "民主集中制是党的根本组织原则。", value: true, explanation: "党章规定，党是根据自己的纲领和章程，按照民主集中制组织起来的统一整体。" },
  { type: "multiple", stem: "“四个意识”包括哪些？", options: ["政治意识", "大局意识", "核心意识", "看齐意识"], correct: [0, 1, 2, 3], explanation: "“四个意识”即政治意识、大局意识、核心意识、看齐意识。" },
  { type: "true_false", stem: "党员领导干部应当以普通党员身份参加所在党支部或党小组的组织生活。", value: true, explanation: "党员领导干部要参加双重组织生活，以普通党员身份参加所在支部的活动。" },
  { type: "single", stem: "党支部是党的什么组织？", options: ["基础组织", "最高组织", "临时组织", "群众组织"], correct: [0], explanation: "党支部是党的基础组织，是党在社会基层组织中的战斗堡垒。" },
  { type: "fill_blank", stem: "党员的党龄从____期满转为正式党员之日算起。", blanks: [["预备期"]], explanation: "党员的党龄，从预备期满转为正式党员之日算起。", source: "《中国共产党章程》" },
  { type: "multiple", stem: "下列哪些属于党的组织生活制度？", options: ["“三会一课”", "组织生活会", "民主评议党员", "年终抽奖"], correct: [0, 1, 2], explanation: "“三会一课”、组织生活会、民主评议党员等都是党的组织生活制度。" },
]);

const safety = tagged(DEMO_TAGS.safety, [
  { type: "fill_blank", stem: "安全生产工作坚持安全第一、____、综合治理的方针。", blanks: [["预防为主"]], explanation: "安全第一、预防为主、综合治理是安全生产的基本方针。", source: "《中华人民共和国安全生产法》" },
  { type: "fill_blank", stem: "发现火灾，应立即拨打火警电话____。", blanks: [["119"]], explanation: "火警电话 119，急救电话 120，报警电话 110。" },
  { type: "single", stem: "进入施工现场，必须正确佩戴什么？", options: ["安全帽", "墨镜", "耳机", "手套即可"], correct: [0], explanation: "进入施工现场必须戴好安全帽并系好下颌带。" },
  { type: "true_false", stem: "灭火器压力表的指针在绿色区域，表示压力正常。", value: true, explanation: "指针在绿区为正常，在红区为压力不足，在黄区为压力过高。" },
  { type: "single", stem: "电气设备着火时，首先应该怎么做？", options: ["用水浇灭", "切断电源", "打开窗户通风", "继续工作"], correct: [1], explanation: "电气火灾要先切断电源，再用干粉或二氧化碳灭火器灭火，不能用水。" },
  { type: "multiple", stem: "下列哪些属于劳动防护用品？", options: ["安全帽", "防护眼镜", "绝缘手套", "手机"], correct: [0, 1, 2], explanation: "安全帽、防护眼镜、绝缘手套都是劳动防护用品。" },
  { type: "fill_blank", stem: "在坠落高度基准面____米及以上有可能坠落的高处进行的作业，称为高处作业。", blanks: [["2", "两", "二"]], explanation: "坠落高度基准面 2 米及以上的作业为高处作业，必须系好安全带。" },
  { type: "true_false", stem: "进入受限空间作业前，必须先通风并检测气体。", value: true, explanation: "受限空间作业要坚持“先通风、再检测、后作业”。" },
  { type: "multiple", stem: "新员工的三级安全教育指哪三级？", options: ["公司（厂）级", "车间级", "班组级", "家庭级"], correct: [0, 1, 2], explanation: "三级安全教育是公司（厂）级、车间级和班组级安全教育。" },
  { type: "true_false", stem: "可以用湿手触摸电器开关。", value: false, explanation: "湿手导电，容易触电，不能用湿手触摸电器开关。" },
  { type: "single", stem: "发现有人触电，首先应该怎么做？", options: ["直接用手拉开触电者", "使触电者尽快脱离电源", "先打电话给家人", "等待他人处理"], correct: [1], explanation: "先切断电源或用干燥的绝缘物使触电者脱离电源，再施救，不能直接用手拉。" },
  { type: "fill_blank", stem: "医疗急救电话是____。", blanks: [["120"]], explanation: "医疗急救电话是 120。" },
]);

export const DEMO_QUESTIONS: QuestionDraft[] = [...platform, ...party, ...safety];

/** Which tag each demo course's quiz draws from. */
export const DEMO_COURSE_TAGS: Record<string, string> = {
  "platform-guide": DEMO_TAGS.platform,
  "party-informatization": DEMO_TAGS.party,
  "work-safety": DEMO_TAGS.safety,
};

/** Questions each demo quiz draws. */
export const DEMO_QUIZ_SIZE = 5;
