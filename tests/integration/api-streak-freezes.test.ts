import { registerMember, setupTestApp } from './helpers/strapi';
import { drain, enableAchievements, plugin } from './support/achievements';

/** The streak a frontend reads is live: a missed day breaks it unless a freeze (as set in Settings) covers it. */
const app = setupTestApp();
const DAY = 86_400_000;

describe('live streak in the member API follows the freezes set in Settings', () => {
  it('reads 0 after a missed day without freezes, and keeps the run when Settings allow one', async () => {
    await enableAchievements(app);
    const member = await registerMember(app);
    const events = plugin(app).service('events');
    const now = Date.now();
    // Active three and two days ago (UTC noon), not yesterday, not yet today.
    for (const daysAgo of [3, 2]) {
      const day = new Date(now - daysAgo * DAY);
      day.setUTCHours(12, 0, 0, 0);
      await events.record({
        type: 'lesson.completed',
        userId: member.user.id,
        key: `freeze-${daysAgo}`,
        subject: `lesson-${daysAgo}`,
        occurredAt: day.getTime(),
      });
    }
    await drain(app);
    const streak = async () =>
      (await app.request().get(`/api/achievements/users/${member.user.id}`)).body.streak;

    await plugin(app)
      .service('settings')
      .update({ streaks: { freezesPerMonth: 0 } });
    await new Promise((r) => setTimeout(r, 1100)); // settings are cached for a second
    expect(await streak()).toMatchObject({ current: 0, longest: 2 });

    await plugin(app)
      .service('settings')
      .update({ streaks: { freezesPerMonth: 1 } });
    await new Promise((r) => setTimeout(r, 1100));
    expect(await streak()).toMatchObject({ current: 2, longest: 2 });
  });
});
