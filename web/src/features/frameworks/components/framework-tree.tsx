import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { InlineText } from '../../../components/ui/rich-text.js';
import { pathTo, type FrameworkTree, type TreeNode } from '../lib/build-tree.js';
import { filterTree, visibleRows } from '../lib/tree-view.js';

interface Props {
  tree: FrameworkTree;
  /** The place (node key) shown in the item panel. */
  selectedKey: string | undefined;
  onSelect: (node: TreeNode) => void;
}

const ancestorKeys = (tree: FrameworkTree, key: string) => pathTo(tree, key).slice(0, -1).map((n) => n.key);

/**
 * The item hierarchy as a WAI-ARIA tree (flat rows with aria-level/posinset/setsize): arrows move and
 * expand/collapse, Home/End jump, Enter or Space opens the item; one row is tabbable (roving tabindex).
 * The search box filters by text or code and expands the path to every match.
 */
export function FrameworkTree({ tree, selectedKey, onSelect }: Props) {
  const { t } = useI18n();
  const [query, setQuery] = useState('');
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set(selectedKey ? ancestorKeys(tree, selectedKey) : []));
  const [focusKey, setFocusKey] = useState<string | undefined>(selectedKey);
  const beforeSearch = useRef<ReadonlySet<string> | null>(null);
  const rowEls = useRef(new Map<string, HTMLElement>());
  const moveFocus = useRef(false);

  const filter = useMemo(() => filterTree(tree, query), [tree, query]);
  useEffect(() => {
    if (filter) {
      beforeSearch.current ??= expanded;
      setExpanded(new Set(filter.ancestors));
    } else if (beforeSearch.current) {
      const restored = new Set(beforeSearch.current);
      if (selectedKey) ancestorKeys(tree, selectedKey).forEach((k) => restored.add(k));
      beforeSearch.current = null;
      setExpanded(restored);
    }
    // Only a change of the query re-expands; later toggles while searching stay the person's own.
  }, [filter]);

  // A deep link or a click in the item panel selects a place that may be folded away: unfold its path.
  useEffect(() => {
    if (!selectedKey || !tree.nodes.has(selectedKey)) return;
    const up = ancestorKeys(tree, selectedKey);
    setExpanded((prev) => (up.every((k) => prev.has(k)) ? prev : new Set([...prev, ...up])));
    setFocusKey(selectedKey);
  }, [tree, selectedKey]);

  const rows = useMemo(() => visibleRows(tree, expanded, filter?.visible), [tree, expanded, filter]);
  const index = useMemo(() => new Map(rows.map((r, i) => [r.key, i])), [rows]);
  const tabKey = focusKey && index.has(focusKey) ? focusKey : rows[0]?.key;

  useEffect(() => {
    if (!moveFocus.current || !tabKey) return;
    moveFocus.current = false;
    const el = rowEls.current.get(tabKey);
    el?.focus();
    el?.scrollIntoView({ block: 'nearest' });
  }, [tabKey, rows]);

  const focus = (key: string | undefined) => {
    if (!key) return;
    moveFocus.current = true;
    setFocusKey(key);
  };
  const setOpen = (key: string, open: boolean) =>
    setExpanded((prev) => {
      const next = new Set(prev);
      if (open) next.add(key);
      else next.delete(key);
      return next;
    });

  const siblingsOf = (n: TreeNode) => {
    const all = n.parentKey ? tree.nodes.get(n.parentKey)!.children : tree.roots;
    return filter ? all.filter((s) => filter.visible.has(s.key)) : all;
  };
  const visibleChildren = (n: TreeNode) => (filter ? n.children.filter((c) => filter.visible.has(c.key)) : n.children);

  const onKeyDown = (e: KeyboardEvent) => {
    const i = tabKey ? index.get(tabKey) : undefined;
    if (i === undefined) return;
    const node = rows[i]!;
    const open = expanded.has(node.key);
    const kids = visibleChildren(node);
    const handled = () => e.preventDefault();
    switch (e.key) {
      case 'ArrowDown':
        handled();
        focus(rows[i + 1]?.key);
        break;
      case 'ArrowUp':
        handled();
        focus(rows[i - 1]?.key);
        break;
      case 'Home':
        handled();
        focus(rows[0]?.key);
        break;
      case 'End':
        handled();
        focus(rows.at(-1)?.key);
        break;
      case 'ArrowRight':
        handled();
        if (kids.length && !open) setOpen(node.key, true);
        else if (kids.length) focus(kids[0]!.key);
        break;
      case 'ArrowLeft':
        handled();
        if (kids.length && open) setOpen(node.key, false);
        else focus(node.parentKey ?? undefined);
        break;
      case 'Enter':
      case ' ':
        handled();
        onSelect(node);
        break;
    }
  };

  const expandAll = () => setExpanded(new Set([...tree.nodes.values()].filter((n) => n.children.length).map((n) => n.key)));

  return (
    <div className="tree-panel">
      <div className="tree-tools">
        <label className="search">
          <span className="visually-hidden">{t('tree.search')}</span>
          <input type="search" value={query} placeholder={t('tree.searchPlaceholder')} onChange={(e) => setQuery(e.target.value)} />
        </label>
        <button type="button" className="button secondary small" onClick={expandAll}>
          {t('tree.expandAll')}
        </button>
        <button type="button" className="button secondary small" onClick={() => setExpanded(new Set())}>
          {t('tree.collapseAll')}
        </button>
      </div>
      <p className="muted tree-count" aria-live="polite">
        {filter ? t('tree.matchCount', { n: filter.matches.size }) : t('tree.itemCount', { n: tree.items.size })}
      </p>
      {rows.length === 0 ? (
        <p className="muted">{t('tree.noMatches')}</p>
      ) : (
        <div role="tree" aria-label={t('tree.label')} className="tree" onKeyDown={onKeyDown}>
          {rows.map((n) => {
            const kids = visibleChildren(n);
            const open = expanded.has(n.key);
            const siblings = siblingsOf(n);
            return (
              <div
                key={n.key}
                ref={(el) => {
                  if (el) rowEls.current.set(n.key, el);
                  else rowEls.current.delete(n.key);
                }}
                role="treeitem"
                aria-level={n.depth + 1}
                aria-setsize={siblings.length}
                aria-posinset={siblings.indexOf(n) + 1}
                aria-expanded={kids.length ? open : undefined}
                aria-selected={n.key === selectedKey}
                tabIndex={n.key === tabKey ? 0 : -1}
                data-identifier={n.item.identifier}
                className={['tree-row', filter?.matches.has(n.key) ? 'match' : '', n.key === selectedKey ? 'selected' : ''].join(' ')}
                style={{ paddingInlineStart: `${0.25 + n.depth * 1.25}rem` }}
                // Focus can arrive by Tab, a click or assistive technology: the keys act on the focused row.
                onFocus={() => setFocusKey(n.key)}
                onClick={() => onSelect(n)}
              >
                <span
                  className={`twisty${kids.length ? '' : ' leaf'}`}
                  aria-hidden="true"
                  onClick={(e) => {
                    if (!kids.length) return;
                    e.stopPropagation();
                    setFocusKey(n.key);
                    setOpen(n.key, !open);
                  }}
                >
                  {kids.length ? (open ? '▾' : '▸') : '•'}
                </span>
                {n.item.humanCodingScheme && <span className="code">{n.item.humanCodingScheme}</span>}
                <span className="statement">
                  <InlineText text={n.item.fullStatement} />
                </span>
              </div>
            );
          })}
        </div>
      )}
    </div>
  );
}
