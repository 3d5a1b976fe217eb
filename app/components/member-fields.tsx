import { Field, SelectField, type AnyField } from "~/components/field";
import { useT } from "~/i18n/i18n";
import { MEMBER_STATUSES } from "~/org/kinds";

type Fields = Record<string, AnyField>;

/** The member fields shared by the create and edit forms. */
export function MemberFields({ fields, units }: { fields: Fields; units: { id: number; name: string; code: string }[] }) {
  const t = useT();
  return (
    <>
      <Field field={fields.name} label={t("members.name")} />
      <Field field={fields.employeeNo} label={t("members.employeeNo")} />
      <Field field={fields.phone} label={t("members.phone")} type="tel" />
      <SelectField field={fields.unitId} label={t("members.unit")} options={units.map((u) => ({ value: u.id, label: `${u.code} ${u.name}` }))} />
      <SelectField field={fields.status} label={t("members.status")} options={MEMBER_STATUSES.map((s) => ({ value: s, label: t(`status.${s}`) }))} />
      <Field field={fields.position} label={t("members.position")} />
      <Field field={fields.joinedPartyOn} label={t("members.joinedPartyOn")} type="date" />
    </>
  );
}
