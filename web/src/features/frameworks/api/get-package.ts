import { apiClient } from '../../../lib/api-client.js';
import { useQuery } from '../../../lib/use-query.js';
import { api } from '../../../config/paths.js';
import type { CFPackage } from '../lib/case-types.js';

export const getPackage = (id: string) => apiClient.get<CFPackage>(api.cfPackage(id));

export const usePackage = (id: string) => useQuery(`package:${id}`, () => getPackage(id));
