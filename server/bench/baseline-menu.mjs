// Baseline for the menu read: plain node:http + pg, the same rows as JSON, no GraphQL, no auth.
import { createServer } from 'node:http';
import pg from 'pg';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
const server = createServer(async (_req, res) => {
  const { rows } = await pool.query(
    'SELECT id, sku, name, category, price, station, allergens, stock, enabled FROM menu_item ORDER BY category, name',
  );
  const menu = rows.map((r) => ({ ...r, available: r.enabled && (r.stock === null || r.stock > 0) }));
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ data: { menu } }));
});
server.listen(0, '127.0.0.1', () => console.log(`ready http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
