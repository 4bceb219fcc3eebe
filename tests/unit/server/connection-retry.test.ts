import {
  isConnectionLost,
  retryOnConnectionLoss,
} from '../../../server/src/utils/connection-retry';

const terminated = Object.assign(
  new Error('insert into … - terminating connection due to administrator command'),
  {
    code: '57P01',
  }
);

describe('retrying a lost database connection', () => {
  it('tells a lost connection from a wrong statement', () => {
    expect(isConnectionLost(terminated)).toBe(true);
    expect(
      isConnectionLost(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))
    ).toBe(true);
    expect(isConnectionLost(new Error('select … - Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionLost(new Error('wrapped', { cause: terminated }))).toBe(true);
    expect(isConnectionLost(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(
      false
    );
    expect(isConnectionLost(new Error('invalid input syntax for type integer'))).toBe(false);
    expect(isConnectionLost(null)).toBe(false);
  });

  it('tries again on a lost connection and gives up on anything else at once', async () => {
    let calls = 0;
    await expect(
      retryOnConnectionLoss(
        async () => {
          calls += 1;
          if (calls < 3) throw terminated;
          return 'recorded';
        },
        { delayMs: 1 }
      )
    ).resolves.toBe('recorded');
    expect(calls).toBe(3);

    calls = 0;
    const wrong = new Error('value too long');
    await expect(
      retryOnConnectionLoss(async () => {
        calls += 1;
        throw wrong;
      })
    ).rejects.toBe(wrong);
    expect(calls).toBe(1);

    calls = 0;
    await expect(
      retryOnConnectionLoss(
        async () => {
          calls += 1;
          throw terminated;
        },
        { attempts: 3, delayMs: 1 }
      )
    ).rejects.toBe(terminated);
    expect(calls).toBe(3);
  });
});
