import { registerMember, setupTestApp, type Member } from './helpers/strapi';
import { academy, ok } from './support/academy';
import {
  achievementRows,
  badgeBySlug,
  drain,
  earnedSlugs,
  enableAchievements,
  progressOf,
} from './support/achievements';

/** Deleting or unpublishing the source produces the opposite event: loops farm nothing. */
const app = setupTestApp();

describe('farming and retractions', () => {
  let alice: Member;
  beforeAll(async () => {
    await enableAchievements(app);
    alice = await registerMember(app);
  });

  it('creating and deleting a post 100 times gives "Hello, world" once', async () => {
    for (let i = 0; i < 100; i += 1) {
      const post = ok(await academy(app).createPost(alice, `Spam ${i}`, 'x')).body.data.documentId;
      ok(await academy(app).deletePost(alice, post));
    }
    await drain(app);
    const badge = await badgeBySlug(app, 'first-post');
    expect(await achievementRows(app, { userId: alice.user.id, badgeId: badge.id })).toHaveLength(
      1
    );
    // No live post is left, so the count of published posts is back to zero.
    const retracted = await app.strapi.db
      .query('plugin::achievements.event')
      .count({ where: { userId: alice.user.id, type: 'post.retracted' } });
    expect(retracted).toBe(100);
  });

  it('react/unreact loops leave the count where it was', async () => {
    const post = ok(await academy(app).createPost(alice, 'Loop me', 'x')).body.data.documentId;
    const fans: Member[] = [];
    for (let i = 0; i < 3; i += 1) fans.push(await registerMember(app));
    for (const fan of fans) ok(await academy(app).react(fan, { post }));
    await drain(app);
    expect(await progressOf(app, alice.user.id, 'reactions-10')).toEqual({
      current: 3,
      target: 10,
    });

    const looper = await registerMember(app);
    for (let i = 0; i < 20; i += 1) {
      const reaction = ok(await academy(app).react(looper, { post }, 'love')).body.data.documentId;
      ok(await academy(app).unreact(looper, reaction));
    }
    await drain(app);
    expect(await progressOf(app, alice.user.id, 'reactions-10')).toEqual({
      current: 3,
      target: 10,
    });
  });

  it("comments on one's own post earn nothing, while a comment on another member's post counts", async () => {
    const talker = await registerMember(app);
    const own = ok(await academy(app).createPost(talker, 'Mine', 'x')).body.data.documentId;
    // Ten comments in a second earned "Conversationalist" (silver, 50 points) before.
    await Promise.all(
      Array.from({ length: 10 }, (_, i) => academy(app).comment(talker, own, `Me again ${i}`))
    ).then((all) => all.forEach((res) => ok(res)));
    await drain(app);
    expect(await earnedSlugs(app, talker.user.id)).not.toContain('commenter');
    expect((await progressOf(app, talker.user.id, 'commenter'))?.current ?? 0).toBe(0);
    const counted = () =>
      app.strapi.db
        .query('plugin::achievements.event')
        .count({ where: { userId: talker.user.id, type: 'comment.created' } });
    expect(await counted()).toBe(0);

    const other = ok(await academy(app).createPost(alice, 'Theirs', 'x')).body.data.documentId;
    ok(await academy(app).comment(talker, other, 'Hello Alice'));
    await drain(app);
    expect(await counted()).toBe(1);
    expect(await progressOf(app, talker.user.id, 'commenter')).toEqual({
      current: 1,
      target: 10,
    });
  });

  it('an auto-revoke badge is revoked (kept, with a reason) when a withdrawal breaks its criteria, and comes back', async () => {
    const post = ok(await academy(app).createPost(alice, 'Popular', 'x')).body.data.documentId;
    const reactors: Member[] = [];
    for (let i = 0; i < 7; i += 1) reactors.push(await registerMember(app));
    const reactions: string[] = [];
    for (const r of reactors)
      reactions.push(ok(await academy(app).react(r, { post })).body.data.documentId);
    await drain(app);
    expect(await earnedSlugs(app, alice.user.id)).toContain('reactions-10'); // 3 earlier fans + 7

    ok(await academy(app).unreact(reactors[0], reactions[0]));
    await drain(app);
    expect(await earnedSlugs(app, alice.user.id)).not.toContain('reactions-10');
    const badge = await badgeBySlug(app, 'reactions-10');
    const [row] = await achievementRows(app, { userId: alice.user.id, badgeId: badge.id });
    expect(row.revokedAt).not.toBeNull();
    expect(row.revokeReason).toBe('criteria no longer met');

    const again = ok(await academy(app).react(reactors[0], { post }, 'celebrate')).body.data
      .documentId as string;
    await drain(app);
    expect(await earnedSlugs(app, alice.user.id)).toContain('reactions-10');
    const rows = await achievementRows(app, { userId: alice.user.id, badgeId: badge.id });
    expect(rows).toHaveLength(1);
    // Earned again by the new reaction: the reinstated row cites it, not the withdrawn one.
    expect(rows[0].sourceEvent).toContain(again);
    const evidence =
      typeof rows[0].evidence === 'string' ? JSON.parse(rows[0].evidence) : rows[0].evidence;
    expect(evidence).toMatchObject({ event: rows[0].sourceEvent, type: 'reaction.received' });
  });
});
