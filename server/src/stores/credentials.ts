import { UID } from '../../../common/constants';
import { tableOf } from './sql';
import { defineStore } from './store';
import type { Connection } from './transaction';

/** The signed credentials (`credential`): the only code that reads or writes the table. */
export interface CredentialRow {
  id: number;
  documentId: string;
  achievementDocumentId: string;
  userId: number;
  badgeId: number;
  sequence: number;
  statusListId: string;
  statusIndex: number;
  keyId: string;
  document: Record<string, any>;
  jwt: string;
  issuedAt: string;
  revokedAt: string | null;
  revokeReason: string | null;
}

const toRow = (r: any): CredentialRow => ({
  ...r,
  document: typeof r.document === 'string' ? JSON.parse(r.document) : r.document,
  issuedAt: new Date(r.issuedAt).toISOString(),
  revokedAt: r.revokedAt ? new Date(r.revokedAt).toISOString() : null,
});

export const credentialsStore = defineStore((strapi) => {
  const q = () => strapi.db.query(UID.credential as any);
  return {
    /** The credential in force for an achievement: the oldest one not revoked. */
    async active(achievementDocumentId: string): Promise<CredentialRow | null> {
      const r = await q().findOne({
        where: { achievementDocumentId, revokedAt: null },
        orderBy: { id: 'asc' },
      });
      return r ? toRow(r) : null;
    },

    /** One credential of an achievement by its own documentId (old ones stay fetchable). */
    async one(achievementDocumentId: string, documentId: string): Promise<CredentialRow | null> {
      const r = await q().findOne({ where: { achievementDocumentId, documentId } });
      return r ? toRow(r) : null;
    },

    /** Every credential of an achievement, oldest first (the admin's view). */
    async ofAchievement(achievementDocumentId: string): Promise<CredentialRow[]> {
      const rows = await q().findMany({ where: { achievementDocumentId }, orderBy: { id: 'asc' } });
      return rows.map(toRow);
    },

    /** Credentials of a member's achievements, for listing which ones exist. */
    async ofMember(userId: number): Promise<CredentialRow[]> {
      const rows = await q().findMany({ where: { userId }, orderBy: { id: 'asc' } });
      return rows.map(toRow);
    },

    /** Deletes a member's credentials (their status bits stay as they are); how many. */
    async eraseMember(userId: number, conn: Connection): Promise<number> {
      const t = tableOf(strapi, UID.credential);
      return Number(await conn(t.name).where(t.col('userId'), userId).delete());
    },

    async insert(row: Omit<CredentialRow, 'id' | 'documentId' | 'revokedAt' | 'revokeReason'>) {
      const created = await q().create({ data: { ...row, revokedAt: null } });
      return toRow(created);
    },

    async remove(id: number): Promise<void> {
      await q().delete({ where: { id } });
    },

    /** Credentials not yet revoked of one (member, badge, sequence). */
    async activeFor(userId: number, badgeId: number, sequence: number): Promise<CredentialRow[]> {
      const rows = await q().findMany({
        where: { userId, badgeId, sequence, revokedAt: null },
        orderBy: { id: 'asc' },
      });
      return rows.map(toRow);
    },

    /** Marks credentials revoked; the rows stay (the status bit is set by the caller). */
    async markRevoked(ids: number[], reason: string | null, at = new Date()): Promise<void> {
      if (ids.length === 0) return;
      await q().updateMany({
        where: { id: { $in: ids }, revokedAt: null },
        data: { revokedAt: at, revokeReason: reason },
      });
    },

    async count(where: Record<string, unknown> = {}): Promise<number> {
      return q().count({ where });
    },
  };
});

export type CredentialsStore = ReturnType<typeof credentialsStore>;
