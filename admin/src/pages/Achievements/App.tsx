import * as React from 'react';
import { NavLink, Route, Routes, useLocation } from 'react-router-dom';
import { Page, useRBAC } from '@strapi/strapi/admin';
import {
  SubNav,
  SubNavHeader,
  SubNavLink,
  SubNavSection,
  SubNavSections,
} from '@strapi/design-system';
import { useT } from '../../utils/api';
import { PERMISSIONS } from '../../utils/permissions';
import BadgesPage from './Badges';
import BadgeEditorPage from './BadgeEditor';
import CategoriesPage from './Categories';
import MembersPage from './Members';
import RecalculatePage from './Recalculate';
import LeaderboardsPage from './Leaderboards';
import InsightsPage from './Insights';

const Nav = () => {
  const t = useT();
  const { pathname } = useLocation();
  const { allowedActions } = useRBAC({
    badges: PERMISSIONS.badges,
    members: PERMISSIONS.members,
    recalculate: PERMISSIONS.recalculate,
  });
  // leaderboards.read and insights.read would both read back as canRead: one hook each.
  const leaderboards = useRBAC(PERMISSIONS.leaderboards).allowedActions.canRead;
  const insights = useRBAC(PERMISSIONS.insights).allowedActions.canRead;
  const links = [
    { to: 'badges', label: t('nav.badges', 'Badges'), show: allowedActions.canManage },
    { to: 'categories', label: t('nav.categories', 'Categories'), show: allowedActions.canManage },
    { to: 'members', label: t('nav.members', 'Members'), show: mayOpenMembers(allowedActions) },
    {
      to: 'leaderboards',
      label: t('nav.leaderboards', 'Leaderboards'),
      show: leaderboards,
    },
    { to: 'insights', label: t('nav.insights', 'Insights'), show: insights },
    {
      to: 'recalculate',
      label: t('nav.recalculate', 'Recalculate'),
      show: allowedActions.canRecalculate,
    },
  ];
  return (
    <SubNav aria-label={t('nav.label', 'Achievements')}>
      <SubNavHeader label={t('menu.achievements', 'Achievements')} />
      <SubNavSections>
        <SubNavSection label={t('nav.section', 'Manage')}>
          {links
            .filter((l) => l.show)
            .map((l) => (
              <SubNavLink key={l.to} tag={NavLink} to={l.to} active={pathname.includes(`/${l.to}`)}>
                {l.label}
              </SubNavLink>
            ))}
        </SubNavSection>
      </SubNavSections>
    </SubNav>
  );
};

// useRBAC names each flag after the action's last segment: badges.manage → canManage.
const mayOpenMembers = (allowed: Record<string, boolean>) =>
  Boolean(allowed.canAward || allowed.canRevoke || allowed.canExport || allowed.canErase);

/** Where the main-menu link lands: the first page of the menu this admin may open. */
const Home = () => {
  const { allowedActions, isLoading } = useRBAC({
    badges: PERMISSIONS.badges,
    members: PERMISSIONS.members,
    recalculate: PERMISSIONS.recalculate,
  });
  const leaderboards = useRBAC(PERMISSIONS.leaderboards);
  const insights = useRBAC(PERMISSIONS.insights);
  if (isLoading || leaderboards.isLoading || insights.isLoading) return <Page.Loading />;
  if (allowedActions.canManage) return <BadgesPage />;
  if (mayOpenMembers(allowedActions)) return <MembersPage />;
  if (leaderboards.allowedActions.canRead) return <LeaderboardsPage />;
  if (insights.allowedActions.canRead) return <InsightsPage />;
  if (allowedActions.canRecalculate) return <RecalculatePage />;
  return <Page.NoPermissions />;
};

const App = () => (
  <Page.Protect permissions={PERMISSIONS.menu}>
    <AppLayout />
  </Page.Protect>
);

const AppLayout = () => (
  <div style={{ display: 'flex', minHeight: '100vh' }}>
    <Nav />
    <div style={{ flex: 1, minWidth: 0 }}>
      <Routes>
        <Route index element={<Home />} />
        <Route path="badges" element={<Protect p={PERMISSIONS.badges} el={<BadgesPage />} />} />
        <Route
          path="badges/:id"
          element={<Protect p={PERMISSIONS.badges} el={<BadgeEditorPage />} />}
        />
        <Route
          path="categories"
          element={<Protect p={PERMISSIONS.badges} el={<CategoriesPage />} />}
        />
        <Route path="members" element={<Protect p={PERMISSIONS.members} el={<MembersPage />} />} />
        <Route
          path="leaderboards"
          element={<Protect p={PERMISSIONS.leaderboards} el={<LeaderboardsPage />} />}
        />
        <Route
          path="insights"
          element={<Protect p={PERMISSIONS.insights} el={<InsightsPage />} />}
        />
        <Route
          path="recalculate"
          element={<Protect p={PERMISSIONS.recalculate} el={<RecalculatePage />} />}
        />
      </Routes>
    </div>
  </div>
);

const Protect = ({
  p,
  el,
}: {
  p: Array<{ action: string; subject: null }>;
  el: React.ReactElement;
}) => <Page.Protect permissions={p}>{el}</Page.Protect>;

export default App;
