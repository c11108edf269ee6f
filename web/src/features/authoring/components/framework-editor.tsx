import { useRef, useState } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { Link } from '../../../lib/router.js';
import { paths } from '../../../config/paths.js';
import { ErrorMessage, Loading } from '../../../components/ui/status.js';
import { useDocumentTitle } from '../../../lib/use-document-title.js';
import { usePackageLists, useDocument, useTree, type Tree, type TreeNode } from '../api/authoring.js';
import { AssociationsEditor } from './associations-editor.js';
import { RubricEditor } from './rubric-editor.js';
import { DefinitionsEditor } from './definitions-editor.js';
import { TreeEditor } from './tree-editor.js';
import { ItemEditor } from './item-editor.js';
import { StatusWorkflow } from './status-workflow.js';
import { HistoryList } from './history-list.js';
import './authoring.css';

/** Every item of the tree, in order, as a select offers them. */
const flatten = (nodes: TreeNode[]): Array<{ identifier: string; label: string }> =>
  nodes.flatMap((n) => [{ identifier: n.identifier, label: [n.humanCodingScheme, n.fullStatement].filter(Boolean).join(' ') }, ...flatten(n.children)]);

const DRAFTS = ['Private Draft', 'Draft', 'Pending Implementation'];

/**
 * One framework's editor: its status workflow, its tree, the selected item's fields, its history. Each write bumps
 * `rev`, which rereads what it may have changed (the API's ETags move with every write).
 */
export function FrameworkEditor({ fid }: { fid: string }) {
  const { t } = useI18n();
  const [rev, setRev] = useState(0);
  const [selected, setSelected] = useState<string>();
  const bump = () => setRev((r) => r + 1);
  const doc = useDocument(fid, rev);
  const tree = useTree(fid, rev);
  // The last tree read stays on screen while the next one loads (the focus stays on the item moved).
  const shown = useRef<Tree | undefined>(undefined);
  if (tree.data) shown.current = tree.data;
  const lists = usePackageLists(fid, rev);
  const pkg = useRef<NonNullable<typeof lists.data>>({ definitions: {}, associations: [], rubrics: [] });
  if (lists.data) pkg.current = lists.data;
  const lastDoc = useRef(doc.data);
  if (doc.data) lastDoc.current = doc.data;
  useDocumentTitle(lastDoc.current?.data.title ?? t('authoring.heading'));

  if (doc.error) return <ErrorMessage error={doc.error} onRetry={doc.reload} />;
  if (tree.error) return <ErrorMessage error={tree.error} onRetry={tree.reload} />;
  if (!lastDoc.current || !shown.current) return <Loading />;
  const { data: document, etag } = lastDoc.current;
  const status = document.adoptionStatus ?? 'Private Draft';
  const editable = DRAFTS.includes(status);
  return (
    <section className="page authoring">
      <p>
        <Link to={paths.authoring()}>{t('authoring.back')}</Link> · <Link to={paths.framework(fid)}>{t('authoring.view')}</Link>
      </p>
      <h1>{document.title}</h1>
      {!editable && <p className="status">{t('authoring.frozen')}</p>}
      <StatusWorkflow fid={fid} status={status} etag={etag} onChanged={bump} />
      <div className="authoring-columns">
        <TreeEditor fid={fid} tree={shown.current} editable={editable} selected={selected} onSelect={setSelected} onChanged={bump} />
        {selected ? (
          <div>
            <ItemEditor key={selected} fid={fid} itemId={selected} rev={rev} definitions={pkg.current.definitions} onSaved={bump} onReload={bump} />
            <AssociationsEditor key={`a-${selected}`} fid={fid} itemId={selected} items={flatten(shown.current.children)} associations={pkg.current.associations} editable={editable} onChanged={bump} />
            <RubricEditor key={`r-${selected}`} fid={fid} itemId={selected} rubrics={pkg.current.rubrics} onChanged={bump} />
          </div>
        ) : (
          <p className="muted">{t('authoring.selectPrompt')}</p>
        )}
      </div>
      <DefinitionsEditor fid={fid} definitions={pkg.current.definitions} editable={editable} onChanged={bump} />
      <HistoryList fid={fid} rev={rev} />
    </section>
  );
}
