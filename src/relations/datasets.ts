import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { uuidv5, type CFAssociation, type CFItem, type CFPackage } from '../case/index.js';
import { ShirubeError } from '../errors.js';
import { relationTypes, type RelationType } from './model.js';
import type { TruthRow } from './evaluate.js';

/**
 * Evaluation data sets as frameworks plus ground truth. Nothing here is shipped: the CLI reads the files from
 * where the user keeps them (e.g. ../shared/data/prerequisites) and writes its output outside the repository.
 */
export interface Dataset {
  package: CFPackage;
  truth: TruthRow[];
}

const NS = '0b0f6a43-7f3e-4b8e-9d0c-6d1f3c2a9e51';
const id = (name: string) => uuidv5(name, NS);
const NOW = '2026-01-01T00:00:00+00:00';
const link = (identifier: string, title: string) => ({ identifier, title, uri: `urn:shirube:eval:${identifier}` });

interface CoherenceNode {
  code: string;
  grade: string;
  domain: string;
  domainName: string;
  cluster: string;
  clusterName: string;
  text: string;
}

/**
 * The CCSS Math Coherence Map (`coherence-map.json` of Student Achievement Partners' data) as a CASE framework
 * Grade → Domain → Cluster → Standard (→ sub-standard), with its prerequisite (precedes) and related
 * (isRelatedTo) links as ground truth.
 */
export function ccssCoherenceMap(dir: string): Dataset {
  let data: { nodes: CoherenceNode[]; precedes: Array<{ from: string; to: string }>; related: Array<{ a: string; b: string }> };
  try {
    data = JSON.parse(readFileSync(join(dir, 'coherence-map.json'), 'utf8'));
  } catch (e) {
    throw new ShirubeError('invalid_request', `${dir}: no readable coherence-map.json (${(e as Error).message})`, 'dir');
  }
  const docId = id('ccss-coherence-map');
  const items: CFItem[] = [];
  const assocs: CFAssociation[] = [];
  const made = new Map<string, string>();
  const grades = ['K', '1', '2', '3', '4', '5', '6', '7', '8', 'HS'];
  const level = (g: string) => (g === 'K' ? ['KG'] : g === 'HS' ? ['09', '10', '11', '12'] : [g.padStart(2, '0')]);
  const add = (key: string, type: string, code: string | undefined, text: string, grade: string, parent: string | undefined) => {
    const identifier = id(key);
    made.set(key, identifier);
    items.push({
      identifier, uri: `urn:shirube:eval:${identifier}`, fullStatement: text, CFItemType: type, educationLevel: level(grade),
      lastChangeDateTime: NOW, ...(code ? { humanCodingScheme: code } : {}),
    });
    const parentId = parent ? made.get(parent)! : docId;
    assocs.push({
      identifier: id(`isChildOf:${key}`), uri: `urn:shirube:eval:${id(`isChildOf:${key}`)}`, associationType: 'isChildOf', lastChangeDateTime: NOW,
      originNodeURI: link(identifier, code ?? text), destinationNodeURI: link(parentId, parent ?? 'CCSS Math'),
    });
  };
  const nodes = [...data.nodes].sort((a, b) => grades.indexOf(a.grade) - grades.indexOf(b.grade) || a.code.localeCompare(b.code, 'en', { numeric: true }));
  for (const n of nodes) {
    const g = `grade:${n.grade}`;
    const d = `${g}/${n.domain}`;
    const c = `${d}/${n.cluster}`;
    if (!made.has(g)) add(g, 'Grade', n.grade, n.grade === 'K' ? 'Kindergarten' : n.grade === 'HS' ? 'High School' : `Grade ${n.grade}`, n.grade, undefined);
    if (!made.has(d)) add(d, 'Domain', `${n.grade}.${n.domain}`, n.domainName.replace(/\*$/, ''), n.grade, g);
    if (!made.has(c)) add(c, 'Cluster', `${n.grade}.${n.domain}.${n.cluster}`, n.clusterName, n.grade, d);
    // A sub-standard (4.NF.B.3.a) is a child of its standard (4.NF.B.3) when the map has it.
    const parentCode = n.code.replace(/\.[a-z]$/, '');
    const parent = parentCode !== n.code && made.has(`std:${parentCode}`) ? `std:${parentCode}` : c;
    add(`std:${n.code}`, 'Standard', n.code, n.text, n.grade, parent);
  }
  return {
    package: {
      CFDocument: {
        identifier: docId, uri: `urn:shirube:eval:${docId}`, creator: 'Student Achievement Partners', title: 'CCSS Math Coherence Map (evaluation)',
        lastChangeDateTime: NOW, language: 'en', adoptionStatus: 'Private Draft',
        notes: 'Built by shirube relations dataset ccss from the Coherence Map data (CC0, credit Student Achievement Partners); standards text © NGA Center / CCSSO.',
      },
      CFItems: items,
      CFAssociations: assocs,
    },
    truth: [
      ...data.precedes.map((e) => ({ origin: e.from, destination: e.to, type: 'precedes' as const })),
      ...data.related.map((e) => ({ origin: e.a, destination: e.b, type: 'isRelatedTo' as const })),
    ],
  };
}

/**
 * Any CFPackage with its own precedes / isRelatedTo associations held out as ground truth (Smarter Balanced's
 * content specification): the package keeps everything else.
 */
export function holdOut(pkg: CFPackage): Dataset {
  const held = (a: CFAssociation) => (relationTypes as readonly string[]).includes(a.associationType);
  const truth = pkg.CFAssociations.filter(held).flatMap((a) => {
    const o = a.originNodeURI?.identifier;
    const d = a.destinationNodeURI?.identifier;
    return o && d ? [{ origin: o, destination: d, type: a.associationType as RelationType }] : [];
  });
  return { package: { ...pkg, CFAssociations: pkg.CFAssociations.filter((a) => !held(a)) }, truth };
}

/** Ground truth as the CSV `relations evaluate --ground-truth` reads. */
export function truthCsv(truth: TruthRow[]): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return ['origin,destination,type', ...truth.map((t) => `${q(t.origin)},${q(t.destination)},${t.type}`)].join('\n') + '\n';
}
