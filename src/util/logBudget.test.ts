import { LogBudget } from './logBudget';

describe('LogBudget', () => {
  it('allows so many lines a minute, then counts the rest and reports them when the next minute starts', () => {
    let clock = 5_000;
    const reported: number[] = [];
    const budget = new LogBudget(3, () => clock);
    const taken = Array.from({ length: 10 }, () => budget.take((n) => reported.push(n)));
    expect(taken).toEqual([true, true, true, false, false, false, false, false, false, false]);
    clock += 59_999;
    expect(budget.take((n) => reported.push(n))).toBe(false);
    expect(reported).toEqual([]);
    clock += 1;
    expect(budget.take((n) => reported.push(n))).toBe(true);
    expect(reported).toEqual([8]);
    clock += 120_000;
    expect(budget.take((n) => reported.push(n))).toBe(true);
    expect(reported).toEqual([8]);
  });
});
