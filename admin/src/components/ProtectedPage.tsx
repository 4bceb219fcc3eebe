import * as React from 'react';
import { Page } from '@strapi/strapi/admin';

type Permissions = Array<{ action: string; subject: null }>;

/** `Component` as a page that only admins holding `permissions` may open. */
export const protectedPage = (permissions: Permissions, Component: React.ComponentType) => {
  const ProtectedPage = () => (
    <Page.Protect permissions={permissions}>
      <Component />
    </Page.Protect>
  );
  return ProtectedPage;
};
