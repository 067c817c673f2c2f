// Admin API routes of the commerce module (declared like ./routes.ts; joined in ./index.ts).
import type { AnyRoute } from './route.ts';

export const commerceRoutes: AnyRoute[] = [];
