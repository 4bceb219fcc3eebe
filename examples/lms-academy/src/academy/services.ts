import type { Core } from '@strapi/strapi';
import type { ProgressService } from '../api/lesson/services/progress';
import type { ProfileService } from '../api/profile/services/profile';
import type { PostMemberService } from '../api/post/services/member';
import type { CommentMemberService } from '../api/comment/services/member';
import type { ReactionMemberService } from '../api/reaction/services/member';
import type { CatalogueService } from '../api/module/services/catalogue';

interface AcademyServices {
  'api::lesson.progress': ProgressService;
  'api::profile.profile': ProfileService;
  'api::post.member': PostMemberService;
  'api::comment.member': CommentMemberService;
  'api::reaction.member': ReactionMemberService;
  'api::module.catalogue': CatalogueService;
}

/** Typed access to the academy's services, so a name is never misspelt as a string. */
export const academyService = <K extends keyof AcademyServices>(
  strapi: Core.Strapi,
  uid: K
): AcademyServices[K] => strapi.service(uid) as unknown as AcademyServices[K];
