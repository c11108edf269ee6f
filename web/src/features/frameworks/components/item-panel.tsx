import { useEffect, useId, useMemo, useRef, type ReactNode } from 'react';
import { isMessageKey, useI18n } from '../../../lib/i18n/i18n.js';
import { Link } from '../../../lib/router.js';
import { paths } from '../../../config/paths.js';
import { InlineText, RichText } from '../../../components/ui/rich-text.js';
import { safeHref } from '../../../lib/rich-text.js';
import { pathTo, type FrameworkTree } from '../lib/build-tree.js';
import type { CFPackage, LinkURI } from '../lib/case-types.js';
import { groupAssociations } from '../lib/item-associations.js';

interface Props {
  pkg: CFPackage;
  tree: FrameworkTree;
  frameworkId: string;
  itemId: string;
  /** The item's place in the tree (an item may have several): its path is shown. */
  placeKey: string | undefined;
}

/** The other end of an association: an item of this framework, the framework itself, or something outside. */
function OtherEnd({ link, tree, pkg, frameworkId }: { link: LinkURI; tree: FrameworkTree; pkg: CFPackage; frameworkId: string }) {
  const { t } = useI18n();
  const item = tree.items.get(link.identifier);
  if (item) {
    return (
      <Link to={paths.frameworkItem(frameworkId, item.identifier)} className="item-link">
        {item.humanCodingScheme && <span className="code">{item.humanCodingScheme}</span>}
        <InlineText text={item.fullStatement} />
      </Link>
    );
  }
  if (link.identifier === pkg.CFDocument.identifier) return <Link to={paths.framework(frameworkId)}>{pkg.CFDocument.title}</Link>;
  const href = link.uri ? safeHref(link.uri) : undefined;
  const label = link.title || link.uri || link.identifier;
  return (
    <span>
      {href ? <a href={href} rel="noopener noreferrer">{label}</a> : label} <span className="muted">({t('item.outside')})</span>
    </span>
  );
}

export function ItemPanel({ pkg, tree, frameworkId, itemId, placeKey }: Props) {
  const { t, formatDate } = useI18n();
  const headingId = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const item = tree.items.get(itemId);
  const groups = useMemo(() => groupAssociations(pkg.CFAssociations ?? [], itemId), [pkg, itemId]);
  const trail = placeKey ? pathTo(tree, placeKey).slice(0, -1) : [];

  // Opening an item from a link moves reading focus to it (screen readers announce the new item).
  useEffect(() => {
    if (heading.current && !heading.current.contains(document.activeElement) && document.activeElement?.closest('.item-panel')) heading.current.focus();
  }, [itemId]);

  if (!item) return <p className="status error" role="alert">{t('error.notFound')}</p>;
  const type = item.CFItemType || item.CFItemTypeURI?.title;
  const facts: Array<[string, ReactNode]> = [
    [t('item.code'), item.humanCodingScheme && <span className="code">{item.humanCodingScheme}</span>],
    [t('item.type'), type],
    [t('item.educationLevel'), item.educationLevel?.join(', ')],
    [t('item.abbreviatedStatement'), item.abbreviatedStatement && <InlineText text={item.abbreviatedStatement} />],
    [t('item.language'), item.language],
    [t('item.lastChange'), item.lastChangeDateTime && <time dateTime={item.lastChangeDateTime}>{formatDate(item.lastChangeDateTime)}</time>],
    [t('item.identifier'), <span className="identifier">{item.identifier}</span>],
  ];

  return (
    <article className="item-panel card" aria-labelledby={headingId}>
      {trail.length > 0 && (
        <nav aria-label={t('item.place')} className="trail">
          <ol>
            {trail.map((n) => (
              <li key={n.key}>
                <Link to={paths.frameworkItem(frameworkId, n.item.identifier)}>
                  {n.item.humanCodingScheme || <InlineText text={n.item.fullStatement} />}
                </Link>
              </li>
            ))}
          </ol>
        </nav>
      )}
      <h2 id={headingId} ref={heading} tabIndex={-1} className="item-heading">
        {item.humanCodingScheme && <span className="code">{item.humanCodingScheme}</span>}
        {type && <span className="badge">{type}</span>}
      </h2>
      <RichText text={item.fullStatement} className="full-statement" />
      <dl className="facts">
        {facts
          .filter(([, v]) => v)
          .map(([k, v]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </div>
          ))}
      </dl>
      {item.notes && (
        <section>
          <h3>{t('item.notes')}</h3>
          <RichText text={item.notes} />
        </section>
      )}
      <p>
        <a href={paths.uri(item.identifier)} className="uri-link">
          {t('item.openUri')} ↗
        </a>
      </p>
      <section className="associations">
        <h3>{t('item.associations')}</h3>
        {groups.length === 0 && <p className="muted">{t('item.noAssociations')}</p>}
        {groups.map((g) => {
          const key = `assoc.${g.associationType}${g.inverse ? '.inverse' : ''}`;
          return (
            <section key={key} className="association-group" data-association-type={g.associationType} data-inverse={g.inverse}>
              <h4>
                {isMessageKey(key) ? t(key) : `${g.associationType}${g.inverse ? ' ←' : ''}`} <span className="count">{g.entries.length}</span>
              </h4>
              <ul>
                {g.entries.map((e) => (
                  <li key={`${e.association.identifier}${g.inverse}`}>
                    <OtherEnd link={e.other} tree={tree} pkg={pkg} frameworkId={frameworkId} />
                  </li>
                ))}
              </ul>
            </section>
          );
        })}
      </section>
    </article>
  );
}
