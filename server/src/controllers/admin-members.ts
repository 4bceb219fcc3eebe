import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import {
  awardSchema,
  bulkAwardSchema,
  memberParamsSchema,
  memberSearchSchema,
  revokeSchema,
  splitIdentifiers,
  type AdminMemberRow,
  type BulkAwardResult,
} from '../../../common/admin-api';
import { UID } from '../../../common/constants';
import { getService } from '../utils/get-service';
import { adminId, parse } from './request';

const PAGE_SIZE = 20;

/** Admin API of members: search, a member's achievements, award and revoke by hand. */
const adminMembersController = ({ strapi }: { strapi: Core.Strapi }) => {
  const toRow = (u: any): AdminMemberRow => ({
    id: u.id,
    documentId: u.documentId,
    username: u.username,
    email: u.email,
    blocked: !!u.blocked,
  });

  const findUser = async (id: string) => {
    const user = await strapi.db.query(UID.user).findOne({
      where: { id: Number(id) },
      select: ['id', 'documentId', 'username', 'email', 'blocked'],
    });
    if (!user) throw new errors.NotFoundError(`member ${id} not found`);
    return user;
  };

  const findBadge = async (documentId: string) => {
    const badge = await strapi.db.query(UID.badge).findOne({ where: { documentId } });
    if (!badge) {
      throw new errors.ValidationError(`badge: no badge ${documentId}`, {
        errors: [{ path: 'badge', message: `badge: no badge ${documentId}` }],
      });
    }
    return badge;
  };

  return {
    async find(ctx: any) {
      const query = parse(memberSearchSchema, ctx.query, 'parameter');
      const q = query.q?.trim();
      const page = Number(query.page ?? 1);
      const where = q
        ? { $or: [{ username: { $containsi: q } }, { email: { $containsi: q } }] }
        : {};
      const [rows, total] = await Promise.all([
        strapi.db.query(UID.user).findMany({
          where,
          select: ['id', 'documentId', 'username', 'email', 'blocked'],
          orderBy: { username: 'asc' },
          limit: PAGE_SIZE,
          offset: (page - 1) * PAGE_SIZE,
        }),
        strapi.db.query(UID.user).count({ where }),
      ]);
      ctx.body = {
        data: rows.map(toRow),
        meta: { page, pageSize: PAGE_SIZE, total: Number(total) },
      };
    },

    async findOne(ctx: any) {
      const { id } = parse(memberParamsSchema, { id: ctx.params?.id }, 'parameter');
      const user = await findUser(id);
      const member = { id: user.id, documentId: user.documentId, username: user.username };
      // The member's own view (secrets they hold included), as an admin may see everything.
      const achievements = await getService(strapi, 'members').achievements(member, user.id);
      const held = await getService(strapi, 'awards').held(user.id);
      const catalog = await getService(strapi, 'catalog').get();
      const slugs = new Map(catalog.badges.map((b) => [b.id, b]));
      ctx.body = {
        data: {
          member: toRow(user),
          achievements,
          held: held.flatMap((h) => {
            const b = slugs.get(h.badgeId);
            return b
              ? [
                  {
                    badge: b.documentId,
                    slug: b.slug,
                    name: b.name,
                    sequence: h.sequence,
                    revoked: h.revoked,
                    manual: h.manual,
                  },
                ]
              : [];
          }),
        },
      };
    },

    async award(ctx: any) {
      const { id } = parse(memberParamsSchema, { id: ctx.params?.id }, 'parameter');
      const body = parse(awardSchema, ctx.request.body);
      const user = await findUser(id);
      const badge = await findBadge(body.badge);
      await getService(strapi, 'admin').award(user.id, badge.id, {
        adminId: adminId(ctx),
        reason: body.reason,
      });
      ctx.body = { data: { awarded: true } };
    },

    async revoke(ctx: any) {
      const { id } = parse(memberParamsSchema, { id: ctx.params?.id }, 'parameter');
      const body = parse(revokeSchema, ctx.request.body);
      const user = await findUser(id);
      const badge = await findBadge(body.badge);
      const result = await getService(strapi, 'admin').revoke(user.id, badge.id, {
        adminId: adminId(ctx),
        reason: body.reason,
        sequence: body.sequence,
      });
      ctx.body = { data: { revoked: result.revoked.length } };
    },

    async bulkAward(ctx: any) {
      const body = parse(bulkAwardSchema, ctx.request.body);
      const badge = await findBadge(body.badge);
      const names = splitIdentifiers(body.members);
      const lower = names.map((n) => n.toLowerCase());
      const users = await strapi.db.query(UID.user).findMany({
        where: { $or: [{ username: { $in: names } }, { email: { $in: lower } }] },
        select: ['id', 'username', 'email'],
      });
      const result: BulkAwardResult = { awarded: [], already: [], notFound: [] };
      const admin = getService(strapi, 'admin');
      for (const name of names) {
        const user = users.find(
          (u: any) => u.username === name || String(u.email).toLowerCase() === name.toLowerCase()
        );
        if (!user) {
          result.notFound.push(name);
          continue;
        }
        try {
          await admin.award(user.id, badge.id, {
            adminId: adminId(ctx),
            reason: body.reason,
          });
          result.awarded.push(name);
        } catch (error: any) {
          if (error?.name !== 'ApplicationError') throw error;
          result.already.push(name);
        }
      }
      ctx.body = { data: result };
    },
  };
};

export default adminMembersController;
