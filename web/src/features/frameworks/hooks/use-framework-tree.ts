import { useMemo } from 'react';
import { buildTree, type FrameworkTree } from '../lib/build-tree.js';
import type { CFPackage } from '../lib/case-types.js';

export const useFrameworkTree = (pkg: CFPackage | undefined): FrameworkTree | undefined =>
  useMemo(() => (pkg ? buildTree(pkg) : undefined), [pkg]);
