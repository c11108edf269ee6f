import { useI18n } from '../../../lib/i18n/i18n.js';
import { subjectLabel } from '../lib/subjects.js';

/** 教科: which framework a class's dashboard or a map shows (shown when there is more than one). */
export function SubjectSelect({ subjects, value, onChange }: { subjects: Array<{ identifier: string; title: string }>; value: string; onChange: (framework: string) => void }) {
  const { t } = useI18n();
  if (subjects.length < 2) return null;
  return (
    <label>
      {t('dashboard.subject')}{' '}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        {subjects.map((s) => (
          <option key={s.identifier} value={s.identifier} title={s.title}>
            {subjectLabel(s.title)}
          </option>
        ))}
      </select>
    </label>
  );
}
