import { registerMember, setupTestApp, type Member } from './helpers/strapi';
import { academy, ok } from './support/academy';
import {
  achievementRows,
  badgeBySlug,
  drain,
  enableAchievements,
  progressOf,
} from './support/achievements';

/**
 * Farming at scale (issue 17): 1,000 create/delete loops of a post and 1,000 react/unreact
 * loops, two members at a time, on every database. Every loop is netted out by its
 * retraction, so nothing is earned twice and no count moves.
 *
 * The loops call the academy's member services, the code its controllers run after
 * authenticating, so each write goes through the document service and the plugin's triggers
 * exactly as a member's request does. HTTP is left out on purpose: 8,000 requests through
 * users-permissions took about 19 minutes a database in CI, and what is measured here is the
 * pipeline's netting, which engine-farming checks over real HTTP at a smaller scale.
 * The Node 24 run of the SQLite tier sets FARMING_SCALE=off: it checks the runtime, and this
 * test's scale says nothing more about it than the Node 20 run already does.
 */
const app = setupTestApp();
const LOOPS = 1_000;
const MINUTES = 60_000;

const onThisRuntime = process.env.FARMING_SCALE !== 'off' ? describe : describe.skip;

const times = async (n: number, step: (i: number) => Promise<void>) => {
  for (let i = 0; i < n; i += 1) await step(i);
};

const countOf = (userId: number, type: string) =>
  app.strapi.db.query('plugin::achievements.event').count({ where: { userId, type } });

/** The two academy member services the loops call (their controllers' own calls). */
interface PostMember {
  create(userId: number, input: { title: string; body: string }): Promise<{ documentId: string }>;
  delete(userId: number, documentId: string): Promise<void>;
}
interface ReactionMember {
  react(
    userId: number,
    target: { type: 'post'; documentId: string },
    kind: 'love'
  ): Promise<{ reaction: { documentId: string } }>;
  remove(userId: number, documentId: string): Promise<void>;
}
const posts = () => app.strapi.service('api::post.member') as unknown as PostMember;
const reactions = () => app.strapi.service('api::reaction.member') as unknown as ReactionMember;

onThisRuntime(`farming at scale: ${LOOPS} loops, two members at once (Node 20 in CI)`, () => {
  beforeAll(async () => {
    await enableAchievements(app);
  });

  it(
    `${LOOPS} create/delete loops of a post each give "Hello, world" once and no live post`,
    async () => {
      const farmers = [await registerMember(app), await registerMember(app)];
      await Promise.all(
        farmers.map((farmer) =>
          times(LOOPS, async (i) => {
            const post = await posts().create(farmer.user.id, { title: `Spam ${i}`, body: 'x' });
            await posts().delete(farmer.user.id, post.documentId);
          })
        )
      );
      await drain(app);
      const badge = await badgeBySlug(app, 'first-post');
      for (const farmer of farmers) {
        const id = farmer.user.id;
        expect(await achievementRows(app, { userId: id, badgeId: badge.id })).toHaveLength(1);
        expect([await countOf(id, 'post.published'), await countOf(id, 'post.retracted')]).toEqual([
          LOOPS,
          LOOPS,
        ]);
      }
    },
    30 * MINUTES
  );

  it(
    `${LOOPS} react/unreact loops by each of two members leave the author's count where it was`,
    async () => {
      const author = await registerMember(app);
      const post = ok(await academy(app).createPost(author, 'Loop me', 'x')).body.data.documentId;
      const fan = await registerMember(app);
      ok(await academy(app).react(fan, { post }));
      await drain(app);
      const before = await progressOf(app, author.user.id, 'reactions-10');
      expect(before).toEqual({ current: 1, target: 10 });

      const loopers: Member[] = [await registerMember(app), await registerMember(app)];
      await Promise.all(
        loopers.map((looper) =>
          times(LOOPS, async () => {
            const { reaction } = await reactions().react(
              looper.user.id,
              { type: 'post', documentId: post },
              'love'
            );
            await reactions().remove(looper.user.id, reaction.documentId);
          })
        )
      );
      await drain(app);
      expect(await progressOf(app, author.user.id, 'reactions-10')).toEqual(before);
      expect([
        await countOf(author.user.id, 'reaction.received'),
        await countOf(author.user.id, 'reaction.withdrawn'),
      ]).toEqual([1 + 2 * LOOPS, 2 * LOOPS]);
      const badge = await badgeBySlug(app, 'reactions-10');
      expect(await achievementRows(app, { userId: author.user.id, badgeId: badge.id })).toEqual([]);
    },
    30 * MINUTES
  );
});
