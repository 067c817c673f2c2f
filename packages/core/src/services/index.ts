import { ApplicationService } from './applications.ts';
import { DataKeys, type CoreDeps } from './context.ts';
import { DirectoryService } from './directory.ts';
import { InstanceService } from './instances.ts';
import { SigningKeyService } from './signing-keys.ts';

export interface Core {
  deps: CoreDeps;
  instances: InstanceService;
  directory: DirectoryService;
  applications: ApplicationService;
  signingKeys: SigningKeyService;
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
  };
}

export {
  ApplicationService,
  DirectoryService,
  InstanceService,
  SigningKeyService,
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
} from './directory.ts';
export { createApplicationInput, updateApplicationInput } from './applications.ts';
