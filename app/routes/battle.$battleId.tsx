// One live battle: the page listens to /battle/:id/events and posts answers here. Only the
// battle's players may open it or post to it.
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { data, redirect } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { parseId, notFound } from "~/auth/policy.server";
import { requireViewer } from "~/auth/session.server";
import { BattlePage, type BattleActionResult } from "~/battles/battle-page";
import { advanceIfDue, answerBattle, battleView, isPlayer, leaveBattle } from "~/battles/battles.server";
import { scheduleAdvance } from "~/battles/clock.server";
import { battleActionSchema } from "~/battles/forms";

export const meta: MetaFunction = () => [{ title: "答题对战 · 网上党校" }];

export async function loader({ request, context, params }: LoaderFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const battleId = parseId(params.battleId);
  const view = await battleView(battleId, viewer.id);
  if (!view) notFound();
  if (view.phase === "finished") return { view };
  scheduleAdvance(battleId, await advanceIfDue(battleId));
  return { view: (await battleView(battleId, viewer.id))! };
}

export async function action({ request, context, params }: ActionFunctionArgs) {
  const viewer = await requireViewer({ request, context });
  const battleId = parseId(params.battleId);
  if (!(await isPlayer(battleId, viewer.id))) notFound();
  const parsed = battleActionSchema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return data<BattleActionResult>({ ok: false, error: "tampered" }, { status: 400 });
  const intent = parsed.data;
  if (intent.intent === "leave") {
    const { dueAt } = await leaveBattle(battleId, viewer.id);
    scheduleAdvance(battleId, dueAt);
    throw redirect("/battle");
  }
  if ((intent.choice === undefined) === (intent.value === undefined))
    return data<BattleActionResult>({ ok: false, error: "tampered" }, { status: 400 });
  const response = intent.value !== undefined ? { value: intent.value === "true" } : { choices: [intent.choice!] };
  const result = await answerBattle({ battleId, userId: viewer.id, index: intent.index, response });
  scheduleAdvance(battleId, result.dueAt);
  if (result.ok) return data<BattleActionResult>({ ok: true });
  return data<BattleActionResult>({ ok: false, error: result.error }, { status: result.error === "tampered" ? 400 : 409 });
}

export default function Battle() {
  const { view } = useLoaderData<typeof loader>();
  return <BattlePage initial={view} />;
}
