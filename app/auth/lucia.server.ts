import { DrizzlePostgreSQLAdapter } from "@lucia-auth/adapter-drizzle";
import { Lucia, TimeSpan } from "lucia";
import { db } from "~/db/client.server";
import { sessions, users } from "~/db/schema";

export const SESSION_DAYS = 30;

export const lucia = new Lucia(new DrizzlePostgreSQLAdapter(db, sessions, users), {
  sessionExpiresIn: new TimeSpan(SESSION_DAYS, "d"),
  sessionCookie: {
    name: "dx_session",
    attributes: {
      // Secure in production; INSECURE_COOKIES=true allows plain-http trials on a LAN.
      secure: process.env.NODE_ENV === "production" && process.env.INSECURE_COOKIES !== "true",
      sameSite: "lax",
    },
  },
  getUserAttributes: (row) => ({
    name: row.name,
    employeeNo: row.employeeNo,
    unitId: row.unitId,
    status: row.status,
    isCadre: row.isCadre,
    mustChangePassword: row.mustChangePassword,
    disabled: row.disabled,
    locale: row.locale,
    hideFromWideRankings: row.hideFromWideRankings,
  }),
});

declare module "lucia" {
  interface Register {
    Lucia: typeof lucia;
    UserId: number;
    DatabaseUserAttributes: typeof users.$inferSelect;
  }
}
