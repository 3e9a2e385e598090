import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';

/**
 * Runs last (specs run in file order on one worker): every shopper journey above has gone through the server, whose
 * log (at debug level) must hold no personal data: no email address, no name, no phone, no message typed.
 */
test('the server log of the whole browser run holds no personal data', async () => {
  const log = readFileSync('data/e2e-server.log', 'utf8');
  expect(log).toContain('lead synced');
  for (const needle of ['@example.com', 'Pierre', 'Durand', 'Zoé', 'Kim', 'Ann', 'Lyon', 'Typed without a mouse', 'Atelier', 'Maison Bleue', '+336', '#1042']) {
    expect(log, needle).not.toContain(needle);
  }
});
