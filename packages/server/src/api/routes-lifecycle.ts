// Admin API routes of the lifecycle module (declared like ./routes.ts; joined in ./index.ts).
import type { AnyRoute } from './route.ts';

export const lifecycleRoutes: AnyRoute[] = [];
