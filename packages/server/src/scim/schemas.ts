// Discovery documents: ServiceProviderConfig, ResourceTypes, Schemas (RFC 7643 §5–7).
export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const LIST = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
const SPC = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RT = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

export const MAX_RESULTS = 1000;
export const MAX_BULK_OPERATIONS = 1000;
export const MAX_BULK_PAYLOAD = 1_048_576;

interface Attr {
  name: string;
  type: 'string' | 'boolean' | 'complex' | 'reference' | 'dateTime' | 'integer' | 'decimal';
  multiValued?: boolean;
  required?: boolean;
  caseExact?: boolean;
  mutability?: 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
  returned?: 'always' | 'never' | 'default' | 'request';
  uniqueness?: 'none' | 'server' | 'global';
  subAttributes?: Attr[];
  referenceTypes?: string[];
  canonicalValues?: string[];
}

const a = (name: string, extra: Partial<Attr> = {}): Attr => ({ name, type: 'string', ...extra });
const full = (x: Attr): Record<string, unknown> => ({
  name: x.name,
  type: x.type,
  multiValued: x.multiValued ?? false,
  description: x.name,
  required: x.required ?? false,
  caseExact: x.caseExact ?? false,
  mutability: x.mutability ?? 'readWrite',
  returned: x.returned ?? 'default',
  uniqueness: x.uniqueness ?? 'none',
  ...(x.subAttributes ? { subAttributes: x.subAttributes.map(full) } : {}),
  ...(x.referenceTypes ? { referenceTypes: x.referenceTypes } : {}),
  ...(x.canonicalValues ? { canonicalValues: x.canonicalValues } : {}),
});
const multi = (name: string, types: string[]): Attr => ({
  name,
  type: 'complex',
  multiValued: true,
  subAttributes: [
    a('value'),
    a('display'),
    a('type', { canonicalValues: types }),
    { name: 'primary', type: 'boolean' },
  ],
});

const userAttrs: Attr[] = [
  a('userName', { required: true, uniqueness: 'server' }),
  {
    name: 'name',
    type: 'complex',
    subAttributes: [
      'formatted',
      'familyName',
      'givenName',
      'middleName',
      'honorificPrefix',
      'honorificSuffix',
    ].map((n) => a(n)),
  },
  a('displayName'),
  a('nickName'),
  a('profileUrl', { type: 'reference', referenceTypes: ['external'] }),
  a('title'),
  a('userType'),
  a('preferredLanguage'),
  a('locale'),
  a('timezone'),
  { name: 'active', type: 'boolean' },
  a('password', { mutability: 'writeOnly', returned: 'never', caseExact: true }),
  multi('emails', ['work', 'home', 'other']),
  multi('phoneNumbers', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
  multi('ims', ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo']),
  multi('photos', ['photo', 'thumbnail']),
  {
    name: 'addresses',
    type: 'complex',
    multiValued: true,
    subAttributes: [
      'formatted',
      'streetAddress',
      'locality',
      'region',
      'postalCode',
      'country',
      'type',
    ]
      .map((n) => a(n))
      .concat([{ name: 'primary', type: 'boolean' }]),
  },
  {
    name: 'groups',
    type: 'complex',
    multiValued: true,
    mutability: 'readOnly',
    subAttributes: [
      a('value', { mutability: 'readOnly' }),
      a('$ref', { type: 'reference', referenceTypes: ['Group'], mutability: 'readOnly' }),
      a('display', { mutability: 'readOnly' }),
      a('type', { mutability: 'readOnly', canonicalValues: ['direct'] }),
    ],
  },
  multi('entitlements', []),
  multi('roles', []),
  multi('x509Certificates', []),
];

const enterpriseAttrs: Attr[] = [
  a('employeeNumber'),
  a('costCenter'),
  a('organization'),
  a('division'),
  a('department'),
  {
    name: 'manager',
    type: 'complex',
    subAttributes: [
      a('value'),
      a('$ref', { type: 'reference', referenceTypes: ['User'] }),
      a('displayName', { mutability: 'readOnly' }),
    ],
  },
];

const groupAttrs: Attr[] = [
  a('displayName', { required: true, uniqueness: 'server' }),
  {
    name: 'members',
    type: 'complex',
    multiValued: true,
    subAttributes: [
      a('value', { mutability: 'immutable' }),
      a('$ref', { type: 'reference', referenceTypes: ['User', 'Group'], mutability: 'immutable' }),
      a('display', { mutability: 'readOnly' }),
      a('type', { mutability: 'immutable', canonicalValues: ['User'] }),
    ],
  },
];

export function schemaDocs(base: string): Record<string, unknown>[] {
  const doc = (id: string, name: string, attrs: Attr[]) => ({
    schemas: [SCHEMA],
    id,
    name,
    description: `${name} schema`,
    attributes: attrs.map(full),
    meta: { resourceType: 'Schema', location: `${base}/Schemas/${id}` },
  });
  return [
    doc(USER, 'User', userAttrs),
    doc(ENTERPRISE, 'EnterpriseUser', enterpriseAttrs),
    doc(GROUP, 'Group', groupAttrs),
  ];
}

export function resourceTypeDocs(base: string): Record<string, unknown>[] {
  return [
    {
      schemas: [RT],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: USER,
      schemaExtensions: [{ schema: ENTERPRISE, required: false }],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/User` },
    },
    {
      schemas: [RT],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'Group',
      schema: GROUP,
      schemaExtensions: [],
      meta: { resourceType: 'ResourceType', location: `${base}/ResourceTypes/Group` },
    },
  ];
}

export function serviceProviderConfig(base: string, docsUrl: string): Record<string, unknown> {
  return {
    schemas: [SPC],
    documentationUri: docsUrl,
    patch: { supported: true },
    bulk: { supported: true, maxOperations: MAX_BULK_OPERATIONS, maxPayloadSize: MAX_BULK_PAYLOAD },
    filter: { supported: true, maxResults: MAX_RESULTS },
    changePassword: { supported: true },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'Client-credentials access token of a provisioning application, scope "scim"',
        specUri: 'https://www.rfc-editor.org/rfc/rfc6750',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base}/ServiceProviderConfig` },
  };
}

/** Multi-valued attributes by resource type (lowercase), for PATCH and projections. */
export const MULTI_VALUED: Record<'User' | 'Group', Set<string>> = {
  User: new Set(userAttrs.filter((x) => x.multiValued).map((x) => x.name.toLowerCase())),
  Group: new Set(['members']),
};
/** Read-only attributes (clients cannot set them; PATCH on them → mutability). */
export const READ_ONLY: Record<'User' | 'Group', Set<string>> = {
  User: new Set(['id', 'meta', 'groups']),
  Group: new Set(['id', 'meta']),
};
/** Attributes always returned, whatever `attributes`/`excludedAttributes` say. */
export const ALWAYS = new Set(['id', 'schemas', 'meta']);
