// Storage ports of lifecycle enforcement: the agreement engine's state per instance,
// due timers, lifecycle events, deletion receipts, durable jobs. (Filled in by the lifecycle work.)
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by its module
export interface LifecycleRepos {}
