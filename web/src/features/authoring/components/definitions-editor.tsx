import { useState, type FormEvent } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import type { MessageKey } from '../../../lib/i18n/ja.js';
import { useAction } from '../../../lib/use-action.js';
import { createDefinition, type DefinitionList, type Definitions } from '../api/authoring.js';
import { WriteError } from './conflict.js';

/** Each list's required second field (docs/authoring.md: definitions), besides the title. */
const SECOND: Record<DefinitionList, 'hierarchyCode' | 'licenseText' | undefined> = {
  CFItemTypes: 'hierarchyCode',
  CFConcepts: 'hierarchyCode',
  CFSubjects: 'hierarchyCode',
  CFLicenses: 'licenseText',
  CFAssociationGroupings: undefined,
};
export const LISTS = Object.keys(SECOND) as DefinitionList[];

/** The package's definitions (item types, concepts, subjects, licences, groupings) and a form adding one. */
export function DefinitionsEditor({ fid, definitions, editable, onChanged }: { fid: string; definitions: Definitions; editable: boolean; onChanged: () => void }) {
  const { t } = useI18n();
  const { busy, result, error, act } = useAction();
  const [list, setList] = useState<DefinitionList>('CFItemTypes');
  const [title, setTitle] = useState('');
  const [second, setSecond] = useState('');
  const secondField = SECOND[list];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      await createDefinition(fid, list, { title, ...(secondField ? { [secondField]: second } : {}) });
      setTitle('');
      setSecond('');
      onChanged();
      return t('authoring.definitionAdded', { title });
    });
  };
  return (
    <section className="authoring-definitions card" aria-labelledby="authoring-defs-h">
      <h2 id="authoring-defs-h">{t('authoring.definitions')}</h2>
      {LISTS.filter((l) => definitions[l]?.length).map((l) => (
        <div key={l}>
          <h3>{t(`authoring.list.${l}` as MessageKey)}</h3>
          <ul className="definition-list">
            {definitions[l]!.map((d) => (
              <li key={d.identifier}>{d.hierarchyCode && <span className="code">{d.hierarchyCode}</span>} {d.title}</li>
            ))}
          </ul>
        </div>
      ))}
      {editable && (
        <form onSubmit={submit} className="authoring-add">
          <label>
            {t('authoring.list')}
            <select value={list} onChange={(e) => setList(e.target.value as DefinitionList)}>
              {LISTS.map((l) => (
                <option key={l} value={l}>{t(`authoring.list.${l}` as MessageKey)}</option>
              ))}
            </select>
          </label>
          <label>
            {t('authoring.definitionTitle')}
            <input required value={title} onChange={(e) => setTitle(e.target.value)} />
          </label>
          {secondField && (
            <label>
              {t(`authoring.definition.${secondField}`)}
              <input required value={second} onChange={(e) => setSecond(e.target.value)} />
            </label>
          )}
          <button type="submit" className="button secondary small" disabled={busy}>{t('authoring.addDefinition')}</button>
        </form>
      )}
      <p role="status">{result}</p>
      {error && <WriteError error={error} onReload={onChanged} />}
    </section>
  );
}
