import { useEffect, useId, useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { ApiError } from '../../../lib/api-client.js';
import { InlineText } from '../../../components/ui/rich-text.js';
import { ConfirmButton } from '../../badges/components/confirm-button.js';
import { addItem, deleteItem, moveItem, type Tree, type TreeNode } from '../api/authoring.js';
import { findPlace, placementFor, type Move } from '../lib/moves.js';
import { WriteError } from './conflict.js';

const KEYS: Record<string, Move> = { ArrowUp: 'up', ArrowDown: 'down', ArrowRight: 'indent', ArrowLeft: 'outdent' };

const label = (n: TreeNode) => [n.humanCodingScheme, n.fullStatement].filter(Boolean).join(' ');

/**
 * The framework's isChildOf hierarchy for authors: select an item, add a child or a sibling, move it by keyboard
 * (Alt+↑/↓ reorder, Alt+←/→ outdent/indent, announced) or by dragging it onto another item (it goes before it),
 * delete it after confirming. Every write sends the node's ETag; `onChanged` rereads the tree.
 */
export function TreeEditor(props: { fid: string; tree: Tree; editable: boolean; selected: string | undefined; onSelect: (id: string | undefined) => void; onChanged: () => void }) {
  const { t } = useI18n();
  const { fid, tree, editable, selected } = props;
  const hintId = useId();
  const [announce, setAnnounce] = useState('');
  const [error, setError] = useState<ApiError>();
  const [statement, setStatement] = useState('');
  const [dragged, setDragged] = useState<string>();
  // From a write until the tree is read again: its ETags are stale, so no further move meanwhile.
  const [busy, setBusy] = useState(false);
  const focusAfter = useRef<string | undefined>(undefined);
  const list = useRef<HTMLDivElement>(null);

  // After a move the tree is read again: the moved item keeps the focus.
  useEffect(() => {
    setBusy(false);
    const id = focusAfter.current;
    if (!id) return;
    const button = list.current?.querySelector<HTMLButtonElement>(`[data-id="${CSS.escape(id)}"] > .tree-row > .tree-select`);
    if (button) {
      button.focus();
      focusAfter.current = undefined;
    }
  }, [tree]);

  const write = async (run: () => Promise<unknown>, done: string) => {
    setError(undefined);
    setBusy(true);
    try {
      await run();
      setAnnounce(done);
      props.onChanged();
      return true;
    } catch (e) {
      setBusy(false);
      setError(e instanceof ApiError ? e : new ApiError(0, 'internal', String(e)));
      return false;
    }
  };

  const find = (id: string) => findPlace(fid, tree.children, id);
  const nodeOf = (id: string) => {
    const p = find(id);
    return p?.siblings[p.position - 1];
  };

  const move = async (node: TreeNode, to: { parent: string; sequenceNumber: number }) => {
    focusAfter.current = node.identifier;
    const parent = to.parent === fid ? t('authoring.topLevel') : label(nodeOf(to.parent)!);
    await write(() => moveItem(fid, node, to.parent, to.sequenceNumber), t('authoring.moved', { item: label(node), parent, n: to.sequenceNumber }));
  };

  const onKey = (e: KeyboardEvent, node: TreeNode) => {
    const m = KEYS[e.key];
    if (!e.altKey || !m || !editable) return;
    e.preventDefault();
    if (busy) return;
    const to = placementFor(find(node.identifier)!, m);
    if (!to) return setAnnounce(t('authoring.cannotMove'));
    void move(node, to);
  };

  const onDrop = (e: DragEvent, target: TreeNode) => {
    e.preventDefault();
    const node = dragged ? nodeOf(dragged) : undefined;
    setDragged(undefined);
    if (busy || !node || node.identifier === target.identifier) return;
    const at = find(target.identifier)!;
    const from = find(node.identifier)!;
    // Before the target: among the same siblings, an item moving down leaves a gap above it.
    const sequenceNumber = from.parent === at.parent && from.position < at.position ? at.position - 1 : at.position;
    void move(node, { parent: at.parent, sequenceNumber });
  };

  const add = async (where: 'top' | 'child' | 'sibling') => {
    const text = statement.trim();
    if (!text) return setError(new ApiError(400, 'validation', t('authoring.statementRequired'), 'fullStatement'));
    const place = selected ? find(selected) : undefined;
    const target =
      where === 'child' && selected ? { parent: selected } : where === 'sibling' && place ? { parent: place.parent, sequenceNumber: place.position + 1 } : { parent: fid };
    let created: string | undefined;
    if (await write(async () => (created = (await addItem(fid, text, target.parent, target.sequenceNumber)).data.identifier), t('authoring.added', { item: text }))) {
      setStatement('');
      if (created) props.onSelect(created);
    }
  };

  const selectedNode = selected ? nodeOf(selected) : undefined;

  const render = (nodes: TreeNode[]) => (
    <ul className="authoring-tree">
      {nodes.map((n) => (
        <li key={n.identifier} data-id={n.identifier}>
          <div
            className={`tree-row${n.identifier === selected ? ' selected' : ''}${n.identifier === dragged ? ' dragging' : ''}`}
            draggable={editable}
            onDragStart={(e) => (e.dataTransfer.setData('text/plain', n.identifier), setDragged(n.identifier))}
            onDragEnd={() => setDragged(undefined)}
            onDragOver={(e) => dragged && e.preventDefault()}
            onDrop={(e) => onDrop(e, n)}
          >
            <button type="button" className="tree-select" aria-current={n.identifier === selected ? 'true' : undefined} aria-describedby={editable ? hintId : undefined} onClick={() => props.onSelect(n.identifier)} onKeyDown={(e) => onKey(e, n)}>
              {n.humanCodingScheme && <span className="code">{n.humanCodingScheme}</span>} <InlineText text={n.fullStatement} />
            </button>
          </div>
          {n.children.length > 0 && render(n.children)}
        </li>
      ))}
    </ul>
  );

  return (
    <section className="authoring-tree-editor" aria-busy={busy || undefined} aria-labelledby={`${hintId}-h`}>
      <h2 id={`${hintId}-h`}>{t('authoring.tree')}</h2>
      {editable && (
        <>
          <p id={hintId} className="muted small">{t('authoring.keyboardHint')}</p>
          <div className="authoring-add">
            <label>
              {t('authoring.newStatement')}
              <input type="text" value={statement} onChange={(e) => setStatement(e.target.value)} />
            </label>
            <button type="button" className="button secondary small" onClick={() => void add('top')}>{t('authoring.addTop')}</button>
            <button type="button" className="button secondary small" disabled={!selectedNode} onClick={() => void add('child')}>{t('authoring.addChild')}</button>
            <button type="button" className="button secondary small" disabled={!selectedNode} onClick={() => void add('sibling')}>{t('authoring.addSibling')}</button>
            {selectedNode && (
              <ConfirmButton
                label={t('authoring.delete')}
                title={t('authoring.deleteTitle', { item: label(selectedNode) })}
                confirmLabel={t('authoring.delete')}
                run={async () => (await deleteItem(fid, selectedNode), t('authoring.deleted', { item: label(selectedNode) }))}
                onDone={(m) => (setAnnounce(m), props.onSelect(undefined), props.onChanged())}
              >
                <p>{selectedNode.children.length ? t('authoring.deleteWithChildren', { n: selectedNode.children.length }) : t('authoring.deleteOne')}</p>
              </ConfirmButton>
            )}
          </div>
        </>
      )}
      {error && <WriteError error={error} onReload={() => (setError(undefined), props.onChanged())} />}
      <p role="status" className="visually-hidden">{announce}</p>
      <div ref={list}>{tree.children.length ? render(tree.children) : <p className="muted">{t('authoring.empty')}</p>}</div>
    </section>
  );
}
