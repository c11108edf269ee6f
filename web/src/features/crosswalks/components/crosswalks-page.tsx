import { useState, type FormEvent } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { ApiError } from '../../../lib/api-client.js';
import { Link, useRouter } from '../../../lib/router.js';
import { api, paths } from '../../../config/paths.js';
import { ErrorMessage, Loading } from '../../../components/ui/status.js';
import { useFrameworks } from '../../frameworks/api/get-frameworks.js';
import { addLink, createCrosswalk, removeLink, retypeLink, useCrosswalk, useCrosswalks, useSuggestions, type Crosswalk, type Link as CrosswalkLink, type MatchItem } from '../api/crosswalks.js';
import './crosswalks.css';

const asError = (e: unknown) => (e instanceof ApiError ? e : new ApiError(0, 'internal', String(e)));

/** The crosswalks the viewer may see, and (for those who may author frameworks) a form to start one. */
export function CrosswalkList({ viewer, mayCreate }: { viewer: string; mayCreate: boolean }) {
  const { t } = useI18n();
  const list = useCrosswalks(viewer);
  const frameworks = useFrameworks(viewer);
  const { navigate } = useRouter();
  const [form, setForm] = useState({ source: '', target: '', title: '' });
  const [error, setError] = useState<ApiError>();
  if (list.loading) return <Loading />;
  if (list.error) return <ErrorMessage error={list.error} onRetry={list.reload} />;
  const crosswalks = list.data!.crosswalks;
  const isCrosswalk = new Set(crosswalks.map((c) => c.identifier));
  const choices = (frameworks.data ?? []).filter((f) => !isCrosswalk.has(f.identifier));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      const cw = await createCrosswalk(form);
      navigate(paths.crosswalk(cw.identifier));
    } catch (err) {
      setError(asError(err));
    }
  };
  const pick = (name: 'source' | 'target') => (
    <label>
      {t(`crosswalks.${name}`)}{' '}
      <select required value={form[name]} onChange={(e) => setForm({ ...form, [name]: e.target.value })}>
        <option value="">{t('crosswalks.choose')}</option>
        {choices.map((f) => (
          <option key={f.identifier} value={f.identifier}>{f.title}</option>
        ))}
      </select>
    </label>
  );
  return (
    <>
      {crosswalks.length ? (
        <ul className="crosswalk-list">
          {crosswalks.map((c) => (
            <li key={c.identifier}>
              <Link to={paths.crosswalk(c.identifier)}>{c.title}</Link>
              <span className="muted small"> {c.source.title} ↔ {c.target.title}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">{t('crosswalks.none')}</p>
      )}
      {mayCreate && (
        <form className="crosswalk-create" onSubmit={submit}>
          <h2>{t('crosswalks.create')}</h2>
          {pick('source')}
          {pick('target')}
          <label>
            {t('crosswalks.title')} <input required maxLength={500} value={form.title} onChange={(e) => setForm({ ...form, title: e.target.value })} />
          </label>
          <button type="submit" className="button primary">{t('crosswalks.createSubmit')}</button>
          {error && <ErrorMessage error={error} />}
        </form>
      )}
    </>
  );
}

const itemLabel = (i: MatchItem) => [i.gradeLabel, i.code].filter(Boolean).join(' ');

/** One item as a line: grade, code and statement. */
function ItemText({ item }: { item: MatchItem }) {
  return (
    <>
      <span className="code">{itemLabel(item)}</span> {item.text}
    </>
  );
}

/** The right pane: the target's items most like the chosen one, with their scores; accept one as either type. */
function Suggestions({ cw, item, links, onError }: { cw: Crosswalk; item: MatchItem; links: CrosswalkLink[]; onError: (e: ApiError | undefined) => void }) {
  const { t } = useI18n();
  const s = useSuggestions(cw.identifier, item.identifier);
  if (s.loading) return <Loading />;
  if (s.error) return <ErrorMessage error={s.error} onRetry={s.reload} />;
  const linked = (dest: string, type: string) => links.some((l) => l.destinationNodeURI.identifier === dest && l.associationType === type);
  const accept = async (dest: string, type: CrosswalkLink['associationType'], score: number) => {
    onError(undefined);
    try {
      await addLink(cw.identifier, { origin: item.identifier, destination: dest, associationType: type, score: Math.min(1, Math.max(0, score)) });
    } catch (e) {
      onError(asError(e));
    }
  };
  return (
    <ol className="crosswalk-suggestions" aria-label={t('crosswalks.suggestions')}>
      {s.data!.suggestions.map((x) => (
        <li key={x.identifier}>
          <span className="crosswalk-score" title={t('crosswalks.scoreHelp')}>{x.score.toFixed(2)}</span>
          <span className="crosswalk-text"><ItemText item={x} /></span>
          {cw.canAuthor && (
            <span className="crosswalk-actions">
              {(['exactMatchOf', 'isRelatedTo'] as const).map((type) => (
                <button key={type} type="button" className="button small secondary" disabled={linked(x.identifier, type)} onClick={() => void accept(x.identifier, type, x.score)}>
                  {t(`crosswalks.accept.${type}`)}
                </button>
              ))}
            </span>
          )}
        </li>
      ))}
    </ol>
  );
}

/** The links made so far (all, or of one item), each removable by an author. */
function Links({ cw, links, onError }: { cw: Crosswalk; links: CrosswalkLink[]; onError: (e: ApiError | undefined) => void }) {
  const { t } = useI18n();
  const text = new Map([...cw.sourceItems, ...cw.targetItems].map((i) => [i.identifier, i]));
  const show = (n: { identifier: string; title: string }) => {
    const i = text.get(n.identifier);
    return i ? <ItemText item={i} /> : n.title;
  };
  const act = async (change: () => Promise<void>) => {
    onError(undefined);
    try {
      await change();
    } catch (e) {
      onError(asError(e));
    }
  };
  const other = (type: CrosswalkLink['associationType']) => (type === 'exactMatchOf' ? 'isRelatedTo' : 'exactMatchOf');
  if (!links.length) return <p className="muted">{t('crosswalks.noLinks')}</p>;
  return (
    <table className="crosswalk-links">
      <thead>
        <tr>
          <th scope="col">{cw.source.title}</th>
          <th scope="col">{t('crosswalks.type')}</th>
          <th scope="col">{cw.target.title}</th>
          {cw.canAuthor && <th scope="col"><span className="visually-hidden">{t('crosswalks.remove')}</span></th>}
        </tr>
      </thead>
      <tbody>
        {links.map((l) => (
          <tr key={l.identifier}>
            <td>{show(l.originNodeURI)}</td>
            <td>{t(`crosswalks.type.${l.associationType}`)}</td>
            <td>{show(l.destinationNodeURI)}</td>
            {cw.canAuthor && (
              <td className="crosswalk-link-actions">
                <button type="button" className="button small secondary" onClick={() => void act(() => retypeLink(cw.identifier, l.identifier, other(l.associationType)))}>
                  {t(`crosswalks.retype.${other(l.associationType)}`)}
                </button>
                <button type="button" className="button small secondary" onClick={() => void act(() => removeLink(cw.identifier, l.identifier))}>{t('crosswalks.remove')}</button>
              </td>
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The two-pane editor: the source's items on the left; the chosen item's suggested matches in the target on the right. */
export function CrosswalkEditor({ viewer, id }: { viewer: string; id: string }) {
  const { t } = useI18n();
  const { location, navigate } = useRouter();
  const q = useCrosswalk(viewer, id);
  const [filter, setFilter] = useState('');
  const [error, setError] = useState<ApiError>();
  if (q.loading && !q.data) return <Loading />;
  if (q.error) return <ErrorMessage error={q.error} onRetry={q.reload} />;
  const cw = q.data!;
  const chosen = cw.sourceItems.find((i) => i.identifier === location.search.get('item'));
  const count = new Map<string, number>();
  for (const l of cw.links) count.set(l.originNodeURI.identifier, (count.get(l.originNodeURI.identifier) ?? 0) + 1);
  const f = filter.trim().toLowerCase();
  const shown = f ? cw.sourceItems.filter((i) => `${itemLabel(i)} ${i.text}`.toLowerCase().includes(f)) : cw.sourceItems;
  return (
    <>
      <p className="crosswalk-ends">
        {cw.source.title} ↔ {cw.target.title}{' '}
        <span className="crosswalk-export">
          {t('crosswalks.export')}: <a href={api.frameworkExport(cw.identifier, 'case-json-1.1')} download>CASE JSON</a> · <a href={api.frameworkExport(cw.identifier, 'csv')} download>CSV</a> ·{' '}
          <a href={`/ims/case/v1p1/CFPackages/${encodeURIComponent(cw.identifier)}`}>CFPackage</a>
        </span>
      </p>
      {error && <ErrorMessage error={error} />}
      <div className="crosswalk-panes">
        <section className="crosswalk-pane" aria-labelledby="crosswalk-source">
          <h2 id="crosswalk-source">{cw.source.title}</h2>
          <label>
            <span className="visually-hidden">{t('crosswalks.filter')}</span>
            <input type="search" placeholder={t('crosswalks.filter')} value={filter} onChange={(e) => setFilter(e.target.value)} />
          </label>
          <ul className="crosswalk-items">
            {shown.map((i) => (
              <li key={i.identifier}>
                <button type="button" className="crosswalk-item" aria-pressed={chosen?.identifier === i.identifier} onClick={() => navigate(paths.crosswalk(cw.identifier, i.identifier), { replace: true })}>
                  <ItemText item={i} />
                  {count.get(i.identifier) ? <span className="crosswalk-count"> {t('crosswalks.linkCount', { n: count.get(i.identifier)! })}</span> : null}
                </button>
              </li>
            ))}
          </ul>
        </section>
        <section className="crosswalk-pane" aria-labelledby="crosswalk-target">
          <h2 id="crosswalk-target">{cw.target.title}</h2>
          {chosen ? (
            <>
              <p className="crosswalk-chosen"><ItemText item={chosen} /></p>
              <h3>{t('crosswalks.suggestions')}</h3>
              <Suggestions cw={cw} item={chosen} links={cw.links.filter((l) => l.originNodeURI.identifier === chosen.identifier)} onError={setError} />
              <h3>{t('crosswalks.itemLinks')}</h3>
              <Links cw={cw} links={cw.links.filter((l) => l.originNodeURI.identifier === chosen.identifier)} onError={setError} />
            </>
          ) : (
            <p className="muted">{t('crosswalks.pick')}</p>
          )}
        </section>
      </div>
      <h2>{t('crosswalks.allLinks', { n: cw.links.length })}</h2>
      <Links cw={cw} links={cw.links} onError={setError} />
    </>
  );
}
