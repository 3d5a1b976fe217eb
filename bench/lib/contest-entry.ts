// The database side of bench/contest.js, run while the app is stopped (PGlite allows one process
// per data directory):
//
//   npx tsx bench/lib/contest-entry.ts setup <out.json> [--members=2000] [--questions=20] [--seconds=20]
//     a committee with 20 groups and the members spread over them (the driver's bulk path),
//     a session per member (so that 2,000 argon2 logins do not dominate the run), a bank, and two
//     published contests of `questions` questions: the main run's and the kill -9 run's. Writes
//     each member's cookie and, per contest, the response to each question in the member's order
//     (mostly right, some wrong) to <out.json>.
//   npx tsx bench/lib/contest-entry.ts check <contestId>...
//     prints `CONTEST_CHECK {json}`: per contest, the answer rows of each member.
//
// DATA_DIR (PGlite) or DATABASE_URL, as for the app.
import crypto from "node:crypto";
import fs from "node:fs";
import { parseArgs } from "node:util";

process.env.JOBS_WORKER = "false";
process.env.SEED_DEMO = "false";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { members: { type: "string", default: "2000" }, questions: { type: "string", default: "20" }, seconds: { type: "string", default: "20" } },
});
const [mode, ...rest] = positionals;

const { sql } = await import("drizzle-orm");
const { db } = await import("~/db/client.server");
const { rowsOf } = await import("~/quiz/banks.server");

if (mode === "check") {
  const out: Record<string, Record<string, number>> = {};
  for (const id of rest.map(Number)) {
    const rows = await rowsOf<{ user_id: number; answers: number }>(
      db.execute(sql`
        select e.user_id, count(a.entry_id)::int as answers
        from contest_entries e left join contest_answers a on a.entry_id = e.id
        where e.contest_id = ${id} group by e.user_id`),
    );
    out[id] = Object.fromEntries(rows.map((r) => [r.user_id, Number(r.answers)]));
  }
  console.log(`CONTEST_CHECK ${JSON.stringify(out)}`);
  process.exit(0);
}

if (mode !== "setup" || !rest[0]) throw new Error("usage: contest-entry.ts setup <out.json> | check <contestId>...");
const MEMBERS = Math.max(10, Math.min(20_000, Number(values.members)));
const QUESTIONS = Math.max(2, Math.min(50, Number(values.questions)));
const SECONDS = Math.max(3, Math.min(300, Number(values.seconds)));

const { hashPassword } = await import("~/auth/password.server");
const { bulkInsert } = await import("~/stats/bulk.server");
const { makeUnitTree } = await import("~/seed/factories.server");
const { createBank, createQuestion } = await import("~/quiz/banks.server");
const { createContest, publishContest } = await import("~/contests/contests.server");
const { contestContent } = await import("~/contests/play.server");
const { chinaLocal } = await import("~/contests/forms");
const { questionOrder } = await import("~/contests/scoring");

const tag = `${process.pid}`;
const groups = Array.from({ length: 20 }, (_, g) => ({ name: `基准${tag}小组${g + 1}`, kind: "group" as const }));
const tree = await makeUnitTree({
  name: `基准${tag}党委`,
  kind: "committee",
  children: Array.from({ length: 5 }, (_, b) => ({ name: `基准${tag}支部${b + 1}`, kind: "branch" as const, children: groups.slice(b * 4, b * 4 + 4) })),
});
const committee = tree.get(`基准${tag}党委`)!;
const groupIds = groups.map((g) => tree.get(g.name)!.id);

// Members and their sessions through the driver's bulk path (COPY on PGlite, unnest on PostgreSQL).
const hash = await hashPassword(crypto.randomBytes(12).toString("hex"));
const employeeNo = (i: number) => `BENCH${tag}-${i}`;
await bulkInsert(
  "users",
  ["employee_no", "name", "unit_id", "password_hash"],
  ["text", "text", "int", "text"],
  Array.from({ length: MEMBERS }, (_, i) => [employeeNo(i), `基准党员${i}`, groupIds[i % groupIds.length], hash]),
);
const byNo = new Map(
  (await rowsOf<{ id: number; employee_no: string }>(db.execute(sql`select id, employee_no from users where employee_no like ${`BENCH${tag}-%`}`))).map((u) => [
    u.employee_no,
    Number(u.id),
  ]),
);
const users = Array.from({ length: MEMBERS }, (_, i) => ({ id: byNo.get(employeeNo(i))! }));
const sessionIds = users.map(() => crypto.randomBytes(20).toString("hex"));
// 30 days, as a fresh login: lucia would otherwise extend (write) the session on every request.
const expires = new Date(Date.now() + 30 * 86_400_000);
await bulkInsert(
  "sessions",
  ["id", "user_id", "expires_at"],
  ["text", "int", "timestamptz"],
  users.map((u, i) => [sessionIds[i], u.id, expires]),
);

const bank = await createBank({ unitId: committee.id, name: `基准${tag}题库` });
for (let i = 0; i < QUESTIONS * 2; i++) {
  const base = { options: [] as string[], correct: [] as number[], difficulty: 3, tags: [], source: "", explanation: `解析${i}` };
  await createQuestion(
    bank.id,
    i % 2 === 0
      ? { ...base, type: "single", stem: `基准单选${i}`, options: ["甲", "乙", "丙", "丁"], correct: [i % 4] }
      : { ...base, type: "true_false", stem: `基准判断${i}`, value: i % 3 === 0 },
  );
}

const organiser = {
  id: users[0].id,
  grants: [{ unitId: committee.id, unitCode: committee.code, unitName: committee.name, role: "admin" as const }],
} as unknown as Parameters<typeof createContest>[0];
async function contest(title: string) {
  const half = Math.floor(QUESTIONS / 2);
  const draft = await createContest(organiser, {
    unitId: committee.id,
    title,
    opensAt: chinaLocal(new Date(Date.now() - 60_000)),
    closesAt: chinaLocal(new Date(Date.now() + 6 * 3_600_000)),
    secondsPerQuestion: SECONDS,
    pointsPerCorrect: 100,
    speedBonus: "on",
    showResultsAtOnce: "on",
    bankIds: [bank.id],
    countSingle: QUESTIONS - half,
    countMultiple: 0,
    countTrueFalse: half,
    countFillBlank: 0,
  });
  await publishContest(draft.id);
  const content = (await contestContent(draft.id))!;
  // Each member's responses in their own order: right three times in four.
  const responses = users.map((u, m) =>
    questionOrder(draft.id, u.id, content.versions.length).map((position, i) => {
      const v = content.versions[position];
      const right = (m + i) % 4 !== 0;
      if (v.type === "true_false") return { value: right ? v.answer.value : !v.answer.value };
      const key = v.answer.choices![0];
      return { choices: [right ? key : v.options.find((o) => o.id !== key)!.id] };
    }),
  );
  return { id: draft.id, responses };
}

const main = await contest(`基准竞赛${tag}`);
const kill = await contest(`基准断电竞赛${tag}`);
fs.writeFileSync(
  rest[0],
  JSON.stringify({ members: users.map((u, i) => ({ userId: u.id, cookie: `dx_session=${sessionIds[i]}` })), main, kill, seconds: SECONDS }),
);
console.error(`[contest] ${MEMBERS} members, contests ${main.id} and ${kill.id} of ${QUESTIONS} questions`);
process.exit(0);
