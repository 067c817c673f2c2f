import { ApplicationService } from './applications.ts';
import { DataKeys, type CoreDeps } from './context.ts';
import { DirectoryService } from './directory.ts';
import { InstanceService } from './instances.ts';
import { SigningKeyService } from './signing-keys.ts';
import { PasswordService } from '../security/password-service.ts';

export interface Core {
  deps: CoreDeps;
  instances: InstanceService;
  directory: DirectoryService;
  applications: ApplicationService;
  signingKeys: SigningKeyService;
  /** Password policy, forced change, setting passwords (issue 6). */
  passwords: PasswordService;
}

/** The use-cases of the identity service over the given ports. */
export function createCore(deps: CoreDeps): Core {
  const keys = new DataKeys(deps.kek);
  return {
    deps,
    instances: new InstanceService(deps, keys),
    directory: new DirectoryService(deps),
    applications: new ApplicationService(deps, keys),
    signingKeys: new SigningKeyService(deps, keys),
    passwords: new PasswordService(deps),
  };
}

export {
  ApplicationService,
  DirectoryService,
  InstanceService,
  SigningKeyService,
  PasswordService,
  DataKeys,
  type CoreDeps,
};
export { PLATFORM_SLUG, createInstanceInput } from './instances.ts';
export {
  createUserInput,
  updateUserInput,
  createGroupInput,
  updateGroupInput,
  createOrgUnitInput,
  updateOrgUnitInput,
  type LoginResult,
  type DirectoryChange,
  type DirectoryListener,
} from './directory.ts';
export { createApplicationInput, updateApplicationInput } from './applications.ts';
