import { useI18n } from '../../../lib/i18n/i18n.js';
import type { MessageKey } from '../../../lib/i18n/ja.js';

/** Checkboxes of API scopes, each with what it allows in the UI's language. */
export function ScopeChoices({ legend, choices, value, onChange }: { legend: string; choices: readonly string[]; value: string[]; onChange: (v: string[]) => void }) {
  const { t } = useI18n();
  return (
    <fieldset className="scope-choices">
      <legend>{legend}</legend>
      {choices.map((s) => (
        <label key={s}>
          <input type="checkbox" checked={value.includes(s)} onChange={(e) => onChange(e.target.checked ? [...value, s] : value.filter((x) => x !== s))} />{' '}
          <code>{s}</code> <span className="small muted">{t(`scope.${s}` as MessageKey)}</span>
        </label>
      ))}
    </fieldset>
  );
}
