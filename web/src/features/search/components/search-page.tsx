import { useEffect, useState, type FormEvent } from 'react';
import { useI18n, type Translate } from '../../../lib/i18n/i18n.js';
import { Link, useRouter } from '../../../lib/router.js';
import { paths } from '../../../config/paths.js';
import { ErrorMessage, Loading } from '../../../components/ui/status.js';
import { adoptionText } from '../../frameworks/lib/adoption.js';
import { useSearchFilters, useSearchPage, type SearchHit, type SearchParams } from '../api/search.js';
import './search.css';

const FIELDS = ['q', 'status', 'subject', 'grade', 'framework'] as const;

/** 03 → 第3学年 (CASE's two-digit grades); KG and other codes as written. */
const gradeText = (t: Translate, g: string) => (/^\d{2}$/.test(g) ? t('map.grade', { grade: Number(g) }) : g);

/** The query's words marked in a statement (as typed, ignoring case). */
function Marked({ text, q }: { text: string; q: string }) {
  const words = q.split(/\s+/).filter(Boolean).map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (!words.length) return <>{text}</>;
  const parts = text.split(new RegExp(`(${words.join('|')})`, 'gi'));
  return <>{parts.map((p, i) => (i % 2 ? <mark key={i}>{p}</mark> : p))}</>;
}

function Hit({ hit, q }: { hit: SearchHit; q: string }) {
  const { t } = useI18n();
  return (
    <li className="search-hit">
      <Link to={paths.frameworkItem(hit.framework.identifier, hit.identifier)} className="search-hit-link">
        {hit.humanCodingScheme && <span className="code">{hit.humanCodingScheme}</span>} {hit.abbreviatedStatement && <strong>{hit.abbreviatedStatement} </strong>}
        <Marked text={hit.fullStatement} q={q} />
      </Link>
      <p className="muted small">
        {[hit.framework.title, hit.framework.adoptionStatus && adoptionText(t, hit.framework.adoptionStatus), hit.educationLevel.map((g) => gradeText(t, g)).join('・'), hit.match !== 'text' && t(`search.match.${hit.match}`)].filter(Boolean).join(' · ')}
        {' · '}
        <a href={hit.uri}>URI</a>
      </p>
    </li>
  );
}

/** One page of results, and the button for the next (which appends the next page). */
function Page({ viewer, params, cursor, first, onMore }: { viewer: string; params: SearchParams; cursor: string | undefined; first: boolean; onMore: (cursor: string) => void }) {
  const { t } = useI18n();
  const page = useSearchPage(viewer, params, cursor);
  if (page.loading) return <Loading />;
  if (page.error) return <ErrorMessage error={page.error} onRetry={page.reload} />;
  const data = page.data!;
  return (
    <>
      {first && (
        <p role="status" className="search-count">
          {data.total ? t('search.count', { n: data.total }) : t('search.none')}
        </p>
      )}
      <ul className="search-hits">
        {data.items.map((h) => (
          <Hit key={`${h.framework.identifier} ${h.identifier}`} hit={h} q={params.q ?? ''} />
        ))}
      </ul>
      {data.nextCursor && <More onClick={() => onMore(data.nextCursor!)} label={t('search.more')} />}
    </>
  );
}

/** Shown only under the last page loaded. */
function More({ onClick, label }: { onClick: () => void; label: string }) {
  const [used, setUsed] = useState(false);
  if (used) return null;
  return (
    <button type="button" className="button secondary" onClick={() => (setUsed(true), onClick())}>
      {label}
    </button>
  );
}

/** Search across frameworks: words (Japanese, English), codes, filters; the search lives in the URL. */
export function SearchPage({ viewer }: { viewer: string }) {
  const { t } = useI18n();
  const { location, navigate } = useRouter();
  const params: SearchParams = Object.fromEntries(FIELDS.map((f) => [f, location.search.get(f) ?? undefined]));
  const [form, setForm] = useState(params);
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const filters = useSearchFilters(viewer);
  const key = FIELDS.map((f) => params[f] ?? '').join('\u0000');
  useEffect(() => {
    setForm(Object.fromEntries(FIELDS.map((f) => [f, location.search.get(f) ?? undefined])));
    setCursors([undefined]);
  }, [key]); // eslint-disable-line react-hooks/exhaustive-deps
  const searched = FIELDS.some((f) => params[f]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    navigate(paths.search(form));
  };
  const choose = (name: 'subject' | 'grade' | 'status' | 'framework', options: string[], text: (v: string) => string) => (
    <label>
      {t(`search.${name}`)}{' '}
      <select value={form[name] ?? ''} onChange={(e) => setForm({ ...form, [name]: e.target.value || undefined })}>
        <option value="">{t('search.any')}</option>
        {options.map((o) => (
          <option key={o} value={o}>{text(o)}</option>
        ))}
      </select>
    </label>
  );
  const f = filters.data;
  return (
    <>
      <form role="search" className="search-form" onSubmit={submit}>
        <label className="search-box">
          <span className="visually-hidden">{t('search.label')}</span>
          <input type="search" name="q" value={form.q ?? ''} placeholder={t('search.placeholder')} onChange={(e) => setForm({ ...form, q: e.target.value })} maxLength={200} />
        </label>
        <button type="submit" className="button primary">{t('search.submit')}</button>
        <div className="search-filters" role="group" aria-label={t('search.filters')}>
          {choose('subject', f?.subjects ?? [], (s) => s)}
          {choose('grade', f?.grades ?? [], (g) => gradeText(t, g))}
          {choose('status', f?.statuses ?? [], (s) => adoptionText(t, s))}
          {choose('framework', (f?.frameworks ?? []).map((x) => x.identifier), (id) => f?.frameworks.find((x) => x.identifier === id)?.title ?? id)}
        </div>
      </form>
      {filters.error && <ErrorMessage error={filters.error} onRetry={filters.reload} />}
      {searched ? (
        cursors.map((c, i) => <Page key={c ?? ''} viewer={viewer} params={params} cursor={c} first={i === 0} onMore={(next) => setCursors([...cursors, next])} />)
      ) : (
        <p className="muted">{t('search.hint')}</p>
      )}
    </>
  );
}
