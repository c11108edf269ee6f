import { useState, type FormEvent } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { useAction } from '../../../lib/use-action.js';
import { createRubric, type Rubric, type RubricLevel } from '../api/authoring.js';
import { WriteError } from './conflict.js';

/**
 * The CFRubrics grading the selected item (one criterion each, its levels), and a form adding one: the Japanese
 * evaluation's A/B/C levels with their lowest scores, B the mastery level (docs/progress-api.md: Rubrics).
 */
export function RubricEditor({ fid, itemId, rubrics, onChanged }: { fid: string; itemId: string; rubrics: Rubric[]; onChanged: () => void }) {
  const { t } = useI18n();
  const { busy, result, error, act } = useAction();
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [levels, setLevels] = useState<RubricLevel[]>([
    { quality: 'A', score: 0.8 },
    { quality: 'B', score: 0.5 },
    { quality: 'C', score: 0 },
  ]);
  const mine = rubrics.flatMap((r) => (r.CFRubricCriteria ?? []).filter((c) => c.CFItemURI?.identifier === itemId).map((c) => ({ r, c })));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      await createRubric(fid, itemId, title, description, levels, 'B');
      setTitle('');
      setDescription('');
      onChanged();
      return t('authoring.rubricAdded', { title });
    });
  };
  return (
    <section className="authoring-rubrics" aria-labelledby="authoring-rubric-h">
      <h3 id="authoring-rubric-h">{t('authoring.rubrics')}</h3>
      <ul className="rubric-list">
        {mine.map(({ r, c }) => (
          <li key={r.identifier}>
            <strong>{r.title}</strong> {c.description} ({(c.CFRubricCriterionLevels ?? []).map((l) => `${l.quality} ≥ ${l.score}`).join(', ')})
          </li>
        ))}
      </ul>
      <form onSubmit={submit} className="authoring-add">
        <label>
          {t('authoring.rubricTitle')}
          <input required value={title} onChange={(e) => setTitle(e.target.value)} />
        </label>
        <label>
          {t('authoring.rubricCriterion')}
          <input value={description} onChange={(e) => setDescription(e.target.value)} />
        </label>
        {levels.map((l, i) => (
          <label key={l.quality}>
            {t('authoring.rubricScore', { level: l.quality })}
            <input type="number" step="0.05" min="0" value={l.score} onChange={(e) => setLevels((ls) => ls.map((x, j) => (j === i ? { ...x, score: Number(e.target.value) } : x)))} />
          </label>
        ))}
        <button type="submit" className="button secondary small" disabled={busy}>{t('authoring.addRubric')}</button>
      </form>
      <p role="status">{result}</p>
      {error && <WriteError error={error} onReload={onChanged} />}
    </section>
  );
}
