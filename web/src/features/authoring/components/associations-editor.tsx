import { useState, type FormEvent } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import type { MessageKey } from '../../../lib/i18n/ja.js';
import { useAction } from '../../../lib/use-action.js';
import type { CFAssociation } from '../../frameworks/lib/case-types.js';
import { addAssociation, deleteAssociation } from '../api/authoring.js';
import { WriteError } from './conflict.js';

/** CASE's association types but isChildOf (the tree makes those). */
const TYPES = ['isPeerOf', 'isPartOf', 'exactMatchOf', 'precedes', 'isRelatedTo', 'replacedBy', 'exemplar', 'hasSkillLevel', 'isTranslationOf'];

/** The selected item's associations other than isChildOf (either end), one deleted by a button, one added by a form. */
export function AssociationsEditor(props: { fid: string; itemId: string; items: Array<{ identifier: string; label: string }>; associations: CFAssociation[]; editable: boolean; onChanged: () => void }) {
  const { t } = useI18n();
  const { fid, itemId, items, editable } = props;
  const { busy, result, error, act } = useAction();
  const [type, setType] = useState(TYPES[0]!);
  const [destination, setDestination] = useState('');
  const mine = props.associations.filter((a) => a.associationType !== 'isChildOf' && (a.originNodeURI.identifier === itemId || a.destinationNodeURI.identifier === itemId));
  const labelOf = (n: CFAssociation['originNodeURI']) => items.find((i) => i.identifier === n.identifier)?.label ?? n.title ?? n.uri ?? n.identifier;
  const typeText = (a: string) => (`assoc.${a}` as MessageKey);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void act(async () => {
      await addAssociation(fid, type, itemId, destination);
      props.onChanged();
      return t('authoring.associationAdded');
    });
  };
  return (
    <section className="authoring-associations" aria-labelledby="authoring-assoc-h">
      <h3 id="authoring-assoc-h">{t('item.associations')}</h3>
      {mine.length ? (
        <ul className="association-list">
          {mine.map((a) => (
            <li key={a.identifier}>
              {a.originNodeURI.identifier === itemId ? '' : `${labelOf(a.originNodeURI)} → `}
              <strong>{t(typeText(a.associationType))}</strong>
              {a.originNodeURI.identifier === itemId ? ` → ${labelOf(a.destinationNodeURI)}` : ''}{' '}
              {editable && (
                <button type="button" className="button secondary small" disabled={busy} onClick={() => void act(async () => (await deleteAssociation(fid, a.identifier), props.onChanged(), t('authoring.associationDeleted')))}>
                  {t('authoring.delete')}
                </button>
              )}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">{t('item.noAssociations')}</p>
      )}
      {editable && (
        <form onSubmit={submit} className="authoring-add">
          <label>
            {t('authoring.associationType')}
            <select value={type} onChange={(e) => setType(e.target.value)}>
              {TYPES.map((x) => (
                <option key={x} value={x}>{t(typeText(x))}</option>
              ))}
            </select>
          </label>
          <label>
            {t('authoring.associationDestination')}
            <select required value={destination} onChange={(e) => setDestination(e.target.value)}>
              <option value="">{t('authoring.none')}</option>
              {items.filter((i) => i.identifier !== itemId).map((i) => (
                <option key={i.identifier} value={i.identifier}>{i.label}</option>
              ))}
            </select>
          </label>
          <button type="submit" className="button secondary small" disabled={busy || !destination}>{t('authoring.addAssociation')}</button>
        </form>
      )}
      <p role="status">{result}</p>
      {error && <WriteError error={error} onReload={props.onChanged} />}
    </section>
  );
}
