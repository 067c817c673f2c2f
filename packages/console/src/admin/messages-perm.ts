// Strings of what a role allows on an instance (hidden screens, inert actions and their
// explanations) and of the OIDC wizard's first-party and token-format options.
import { registerMessages } from '../i18n/index.ts';

const en = {
  'admin.instances.mine': 'The instances you hold a role on, with your roles there.',
  'admin.instances.noneMine':
    'You hold no role on any instance. The account owner can assign you one.',
  'admin.perm.roles': 'Your roles',
  'admin.perm.yourRoles': 'your roles: {roles}',
  'admin.perm.deniedTitle': 'Not available with your roles',
  'admin.perm.denied':
    'The screen “{screen}” needs the {perm} permission, which your roles on this instance ({roles}) do not grant.',
  'admin.perm.goTo': 'Go to {screen}',
  'admin.perm.noRole':
    'You hold no role on instance {slug} (or it does not exist). The account owner can assign you one.',
  'admin.perm.nothingTitle': 'Nothing to administer',
  'admin.perm.nothing': 'Your roles on {slug} ({roles}) allow none of the administration screens.',
  'admin.perm.lacks':
    'Read-only for you: {what} needs the {perm} permission, which your roles here ({roles}) do not grant.',
  'admin.perm.needs': 'Needs the {perm} permission',
  'admin.perm.what.users:write': 'creating, editing, locking and importing users',
  'admin.perm.what.users:mfa-reset': 'resetting a user’s second factors',
  'admin.perm.what.groups:write': 'changing groups, their members and the organisation',
  'admin.perm.what.apps:write': 'creating and editing applications',
  'admin.perm.what.provisioning:write': 'configuring provisioning, re-syncs and dead letters',
  'admin.perm.what.keys:write': 'rotating signing keys',
  'admin.perm.what.instance:write': 'saving the branding',
  'admin.perm.what.policies:write': 'changing policies',
  'admin.perm.what.roles:write': 'creating roles and assigning them',
  'admin.roles.onlyHeld': 'Only roles whose every permission you hold yourself are offered.',
  'admin.apps.firstParty': 'First-party application (no consent page)',
  'admin.apps.firstPartyHint':
    'Users are never asked to consent: use it only for your own applications.',
  'admin.apps.tokenFormat': 'Access token format',
  'admin.apps.tokenFormat.opaque': 'Opaque (checked by introspection)',
  'admin.apps.tokenFormat.jwt': 'JWT (signed, checked locally)',
  'admin.apps.consent': 'Consent page',
  'admin.apps.consent.firstParty': 'never (first-party)',
  'admin.apps.consent.asked': 'asked',
};

const zh: Record<keyof typeof en, string> = {
  'admin.instances.mine': '您拥有角色的实例，以及您在其中的角色。',
  'admin.instances.noneMine': '您在任何实例上都没有角色。账号所有者可以为您分配。',
  'admin.perm.roles': '您的角色',
  'admin.perm.yourRoles': '您的角色：{roles}',
  'admin.perm.deniedTitle': '您的角色无权访问',
  'admin.perm.denied':
    '“{screen}”页面需要 {perm} 权限，您在此实例上的角色（{roles}）不包含该权限。',
  'admin.perm.goTo': '前往{screen}',
  'admin.perm.noRole': '您在实例 {slug} 上没有角色（或该实例不存在）。账号所有者可以为您分配。',
  'admin.perm.nothingTitle': '没有可管理的内容',
  'admin.perm.nothing': '您在 {slug} 上的角色（{roles}）不允许访问任何管理页面。',
  'admin.perm.lacks': '您只能查看：{what}需要 {perm} 权限，您在此处的角色（{roles}）不包含该权限。',
  'admin.perm.needs': '需要 {perm} 权限',
  'admin.perm.what.users:write': '创建、编辑、锁定和导入用户',
  'admin.perm.what.users:mfa-reset': '重置用户的第二因素',
  'admin.perm.what.groups:write': '修改用户组、成员和组织架构',
  'admin.perm.what.apps:write': '创建和编辑应用',
  'admin.perm.what.provisioning:write': '配置同步、重新同步和处理死信',
  'admin.perm.what.keys:write': '轮换签名密钥',
  'admin.perm.what.instance:write': '保存品牌外观',
  'admin.perm.what.policies:write': '修改策略',
  'admin.perm.what.roles:write': '创建和分配角色',
  'admin.roles.onlyHeld': '仅列出其全部权限您自己都拥有的角色。',
  'admin.apps.firstParty': '第一方应用（不显示授权同意页）',
  'admin.apps.firstPartyHint': '用户永远不会被要求同意授权：仅用于您自己的应用。',
  'admin.apps.tokenFormat': '访问令牌格式',
  'admin.apps.tokenFormat.opaque': '不透明（通过内省校验）',
  'admin.apps.tokenFormat.jwt': 'JWT（已签名，可本地校验）',
  'admin.apps.consent': '授权同意页',
  'admin.apps.consent.firstParty': '从不显示（第一方）',
  'admin.apps.consent.asked': '会询问',
};

registerMessages(en, zh);
