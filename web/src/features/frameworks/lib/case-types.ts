/**
 * The CASE 1.1 fields the UI reads (the server returns more; unknown fields are ignored). Real-world packages
 * bend the schema (string sequence numbers, missing link titles), so optional means optional.
 */
export interface LinkURI {
  title?: string;
  identifier: string;
  uri?: string;
  targetType?: string;
}

export interface CFDocument {
  identifier: string;
  uri?: string;
  title: string;
  creator?: string;
  adoptionStatus?: string;
  version?: string;
  lastChangeDateTime?: string;
  subject?: string[];
  language?: string;
  description?: string;
  frameworkType?: string;
}

export interface CFItem {
  identifier: string;
  uri?: string;
  fullStatement: string;
  humanCodingScheme?: string;
  abbreviatedStatement?: string;
  listEnumeration?: string;
  CFItemType?: string;
  CFItemTypeURI?: LinkURI;
  educationLevel?: string[];
  language?: string;
  notes?: string;
  lastChangeDateTime?: string;
}

export interface CFAssociation {
  identifier: string;
  associationType: string;
  originNodeURI: LinkURI;
  destinationNodeURI: LinkURI;
  sequenceNumber?: number | string;
}

export interface CFPackage {
  CFDocument: CFDocument;
  CFItems?: CFItem[];
  CFAssociations?: CFAssociation[];
}
