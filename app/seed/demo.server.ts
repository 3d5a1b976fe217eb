import { count, eq } from "drizzle-orm";
import { db } from "~/db/client.server";
import { users } from "~/db/schema";
import { makeMember, makeUnitTree } from "./factories.server";

export const DEMO_PASSWORD = "Demo@2026";

export const DEMO_LOGINS = [
  { employeeNo: "A0001", role: "党委管理员 committee admin" },
  { employeeNo: "B1001", role: "运行一党支部书记 branch organiser" },
  { employeeNo: "M0001", role: "党员 member" },
] as const;

/** The demo organisation: a committee with a general branch, branches and groups, and people in them. */
export async function seedDemo() {
  const tree = await makeUnitTree({
    name: "示范集团党委",
    kind: "committee",
    children: [
      {
        name: "生产运行党总支",
        kind: "general_branch",
        children: [
          {
            name: "运行一党支部",
            kind: "branch",
            children: [
              { name: "甲班党小组", kind: "group" },
              { name: "乙班党小组", kind: "group" },
            ],
          },
          { name: "检修党支部", kind: "branch", children: [{ name: "电气党小组", kind: "group" }] },
        ],
      },
      { name: "机关党支部", kind: "branch" },
    ],
  });
  const unit = (name: string) => tree.get(name)!.id;
  const common = { password: DEMO_PASSWORD };
  await makeMember({ ...common, unitId: unit("机关党支部"), name: "赵组织", employeeNo: "A0001", phone: "13800000001", position: "党委组织部干事", grants: [{ unitId: unit("示范集团党委"), role: "admin" }] });
  await makeMember({ ...common, unitId: unit("运行一党支部"), name: "王建国", employeeNo: "B1001", phone: "13800000002", position: "支部书记", grants: [{ unitId: unit("运行一党支部"), role: "organiser" }] });
  await makeMember({ ...common, unitId: unit("检修党支部"), name: "孙为民", employeeNo: "B2001", phone: "13800000003", position: "支部书记", grants: [{ unitId: unit("检修党支部"), role: "organiser" }] });
  const people: [string, string, string, "full" | "probationary" | "activist" | "staff"][] = [
    ["M0001", "李明", "甲班党小组", "full"],
    ["M0002", "张丽", "甲班党小组", "full"],
    ["M0003", "陈刚", "甲班党小组", "probationary"],
    ["M0004", "刘洋", "乙班党小组", "full"],
    ["M0005", "杨帆", "乙班党小组", "activist"],
    ["M0006", "黄海", "乙班党小组", "full"],
    ["M0007", "周静", "电气党小组", "full"],
    ["M0008", "吴强", "电气党小组", "full"],
    ["M0009", "郑华", "电气党小组", "probationary"],
    ["M0010", "冯敏", "机关党支部", "full"],
    ["M0011", "何平", "机关党支部", "full"],
    ["M0012", "许晴", "机关党支部", "staff"],
  ];
  for (const [employeeNo, name, unitName, status] of people) {
    await makeMember({ ...common, unitId: unit(unitName), name, employeeNo, status, joinedPartyOn: status === "full" ? "2015-07-01" : null });
  }
}

/** Fills an empty database with the demo organisation; says whether it did. */
export async function seedDemoIfEmpty() {
  const [{ total }] = await db.select({ total: count() }).from(users);
  if (total > 0) return false;
  await seedDemo();
  return true;
}

export async function hasDemoLogins() {
  const [row] = await db.select({ id: users.id }).from(users).where(eq(users.employeeNo, DEMO_LOGINS[0].employeeNo));
  return Boolean(row);
}
