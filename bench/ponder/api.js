// Ponder 0.10 needs an API module; the benchmark only uses its /ready endpoint.
import { Hono } from 'hono';

export default new Hono();
