import { useId, useState, type FormEvent } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { ErrorMessage, Loading } from '../../../components/ui/status.js';
import type { ApiError } from '../../../lib/api-client.js';
import { registerResource, useItemResources, type NewResource } from '../api/resources.js';
import { ResourceLinks } from './resource-links.js';

const TYPES: Array<NewResource['type']> = ['drill', 'video', 'worksheet', 'other'];

/**
 * The item panel's resources: links to the drills, videos… aligned to the item, and for those who may register
 * them (teachers, authors, administrators: `canRegister`) a small form.
 */
export function ItemResources({ itemId, canRegister }: { itemId: string; canRegister: boolean }) {
  const { t } = useI18n();
  const list = useItemResources(itemId);
  const resources = list.data?.resources ?? [];
  return (
    <section className="item-resources" aria-labelledby="item-resources-title">
      <h3 id="item-resources-title">{t('resources.heading')}</h3>
      {list.loading && <Loading />}
      {list.error && <ErrorMessage error={list.error} onRetry={list.reload} />}
      {list.data && (resources.length ? <ResourceLinks resources={resources} /> : <p className="muted">{t('resources.none')}</p>)}
      {canRegister && <RegisterForm itemId={itemId} />}
    </section>
  );
}

function RegisterForm({ itemId }: { itemId: string }) {
  const { t, lang } = useI18n();
  const id = useId();
  const [form, setForm] = useState({ title: '', url: '', type: 'drill' as NewResource['type'], language: lang as string, provider: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [done, setDone] = useState('');
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const r = await registerResource({ ...form, provider: form.provider || undefined, items: [itemId] });
      setDone(t('resources.added', { title: r.title }));
      setForm({ ...form, title: '', url: '', provider: '' });
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const invalid = (field: string) => (error?.field === field ? { 'aria-invalid': true, 'aria-describedby': `${id}-error` } : {});
  return (
    <details className="resource-form">
      <summary>{t('resources.add')}</summary>
      <form onSubmit={submit}>
        <label>
          {t('resources.title')}
          <input required maxLength={300} value={form.title} onChange={set('title')} {...invalid('title')} />
        </label>
        <label>
          {t('resources.url')}
          <input required type="url" maxLength={2000} placeholder="https://" value={form.url} onChange={set('url')} {...invalid('url')} />
        </label>
        <label>
          {t('resources.typeLabel')}
          <select value={form.type} onChange={set('type')}>
            {TYPES.map((ty) => (
              <option key={ty} value={ty}>
                {t(`resources.type.${ty}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('resources.language')}
          <select value={form.language} onChange={set('language')}>
            <option value="ja">日本語</option>
            <option value="en" lang="en">English</option>
          </select>
        </label>
        <label>
          {t('resources.provider')}
          <input maxLength={200} value={form.provider} onChange={set('provider')} />
        </label>
        <button type="submit" className="button small" disabled={busy}>
          {t('resources.submit')}
        </button>
        <div id={`${id}-error`}>{error && <ErrorMessage error={error} />}</div>
        <p role="status" className="small">
          {done}
        </p>
      </form>
    </details>
  );
}
