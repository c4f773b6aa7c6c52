import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { BodyCapture, ByteBudget } from '../../../src/shadow/capture.js';

const bytes = (n: number, fill = 1) => Buffer.alloc(n, fill);

describe('ByteBudget', () => {
  test('reserves up to the limit, exactly', () => {
    const b = new ByteBudget(100);
    assert.equal(b.tryReserve(60), true);
    assert.equal(b.tryReserve(40), true);
    assert.equal(b.used, 100);
    assert.equal(b.tryReserve(1), false);
    assert.equal(b.used, 100, 'a refused reservation takes nothing');
  });
  test('release gives bytes back and never goes below zero', () => {
    const b = new ByteBudget(100);
    b.tryReserve(70);
    b.release(30);
    assert.equal(b.used, 40);
    assert.equal(b.tryReserve(60), true);
    b.release(1000);
    assert.equal(b.used, 0);
  });
});

describe('BodyCapture', () => {
  test('keeps chunks within the per-body limit and reserves them in the budget', () => {
    const budget = new ByteBudget(1000);
    const c = new BodyCapture(100, budget);
    assert.equal(c.push(bytes(40, 1)), true);
    assert.equal(c.push(bytes(60, 2)), true, 'exactly at the limit is fine');
    assert.equal(c.size, 100);
    assert.equal(budget.used, 100);
    assert.equal(c.stopped, null);
    assert.deepEqual(c.buffer(), Buffer.concat([bytes(40, 1), bytes(60, 2)]));
  });

  test('stops with "limit" past the per-body limit; the refused chunk is not reserved', () => {
    const budget = new ByteBudget(1000);
    const c = new BodyCapture(100, budget);
    c.push(bytes(80));
    assert.equal(c.push(bytes(21)), false);
    assert.equal(c.stopped, 'limit');
    assert.equal(c.size, 80);
    assert.equal(budget.used, 80);
    assert.equal(c.push(bytes(1)), false, 'nothing more once stopped, even a chunk that would fit');
    assert.equal(c.size, 80);
  });

  test('stops with "budget" when the shared budget runs out', () => {
    const budget = new ByteBudget(100);
    const a = new BodyCapture(1000, budget);
    const b = new BodyCapture(1000, budget);
    assert.equal(a.push(bytes(70)), true);
    assert.equal(b.push(bytes(20)), true);
    assert.equal(b.push(bytes(20)), false);
    assert.equal(b.stopped, 'budget');
    assert.equal(a.stopped, null);
    assert.equal(budget.used, 90);
    assert.ok(budget.used <= budget.limit);
  });

  test('release gives every byte back and empties the capture', () => {
    const budget = new ByteBudget(100);
    const a = new BodyCapture(1000, budget);
    a.push(bytes(30));
    a.push(bytes(30));
    a.release();
    assert.equal(budget.used, 0);
    assert.equal(a.size, 0);
    assert.equal(a.buffer().length, 0);
    const b = new BodyCapture(1000, budget);
    assert.equal(b.push(bytes(100)), true, 'released bytes can be used by others');
  });

  test('an empty capture has an empty buffer; buffer() can be read, then pushed to, then read again', () => {
    const c = new BodyCapture(10, new ByteBudget(10));
    assert.equal(c.buffer().length, 0);
    c.push(bytes(5, 7));
    assert.deepEqual(c.buffer(), bytes(5, 7));
    c.push(bytes(2, 8));
    assert.deepEqual(c.buffer(), Buffer.concat([bytes(5, 7), bytes(2, 8)]));
    assert.equal(c.size, 7);
  });

  test('a zero limit captures nothing but an empty chunk', () => {
    const c = new BodyCapture(0, new ByteBudget(10));
    assert.equal(c.push(Buffer.alloc(0)), true);
    assert.equal(c.push(bytes(1)), false);
    assert.equal(c.stopped, 'limit');
  });
});
