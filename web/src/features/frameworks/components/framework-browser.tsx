import { useState } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { Link, useRouter } from '../../../lib/router.js';
import { paths } from '../../../config/paths.js';
import { ErrorMessage, Loading } from '../../../components/ui/status.js';
import { InlineText } from '../../../components/ui/rich-text.js';
import { useDocumentTitle } from '../../../lib/use-document-title.js';
import { usePackage } from '../api/get-package.js';
import { useFrameworkTree } from '../hooks/use-framework-tree.js';
import { FrameworkTree } from './framework-tree.js';
import { ItemPanel } from './item-panel.js';
import { adoptionText } from '../lib/adoption.js';

/** A framework: its tree on one side, the open item on the other (the item is in the URL, so it can be linked). */
export function FrameworkBrowser({ frameworkId, itemId }: { frameworkId: string; itemId: string | undefined }) {
  const { t } = useI18n();
  const { navigate } = useRouter();
  const { data: pkg, error, loading, reload } = usePackage(frameworkId);
  const tree = useFrameworkTree(pkg);
  const [placeKey, setPlaceKey] = useState<string>();
  useDocumentTitle(pkg?.CFDocument.title);

  if (loading) return <Loading />;
  if (error || !pkg || !tree) return error ? <ErrorMessage error={error} onRetry={reload} /> : null;
  const doc = pkg.CFDocument;
  const selectedKey = itemId ? (placeKey && tree.nodes.get(placeKey)?.item.identifier === itemId ? placeKey : tree.places.get(itemId)?.[0]?.key) : undefined;

  return (
    <div className="framework">
      <header className="framework-header">
        <Link to={paths.home()} className="back">
          ← {t('tree.back')}
        </Link>
        <h1>{doc.title}</h1>
        {doc.description && (
          <p className="description">
            <InlineText text={doc.description} />
          </p>
        )}
        <p className="muted">
          {[doc.creator, doc.adoptionStatus && adoptionText(t, doc.adoptionStatus), doc.version].filter(Boolean).join(' · ')} ·{' '}
          <a href={paths.uri(doc.identifier)}>{t('item.openUri')} ↗</a>
        </p>
      </header>
      <div className="framework-body">
        <FrameworkTree
          tree={tree}
          selectedKey={selectedKey}
          onSelect={(node) => {
            setPlaceKey(node.key);
            navigate(paths.frameworkItem(frameworkId, node.item.identifier));
          }}
        />
        <div className="item-column">
          {itemId ? (
            <ItemPanel pkg={pkg} tree={tree} frameworkId={frameworkId} itemId={itemId} placeKey={selectedKey} />
          ) : (
            <p className="card muted select-prompt">{t('item.selectPrompt')}</p>
          )}
        </div>
      </div>
    </div>
  );
}
