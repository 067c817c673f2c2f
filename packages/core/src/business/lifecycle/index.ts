// Lifecycle enforcement: the agreement engine per instance, the durable scheduler and
// jobs, test clocks.
export { advance, expiryDue, nextDue } from './engine.ts';
export { LifecycleService, GONE_STATES, resolvePolicy, type LifecycleDeps } from './service.ts';
export { DurableJobs, type JobOptions } from './jobs.ts';
export { Scheduler, TestClocks, type SweepResult, type SchedulerOptions } from './scheduler.ts';
export { parseDuration } from './duration.ts';
