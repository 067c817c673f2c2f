// Admin API routes of the operations module (declared like ./routes.ts; joined in ./index.ts).
import type { AnyRoute } from './route.ts';

export const operationsRoutes: AnyRoute[] = [];
