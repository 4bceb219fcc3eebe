import * as React from 'react';
import { Layouts, Page, useNotification } from '@strapi/strapi/admin';
import {
  Box,
  Button,
  Flex,
  IconButton,
  Table,
  Tbody,
  Td,
  TextInput,
  Tr,
  Typography,
} from '@strapi/design-system';
import { ArrowDown, ArrowUp, Check, Plus } from '@strapi/icons';
import type { AdminCategory } from '../../../../common/admin-api';
import { TextField } from '../../components/FormField';
import { TableHead } from '../../components/TableHead';
import { errorMessage, fieldErrors, useApi, useLoad, useT } from '../../utils/api';

const CategoriesPage = () => {
  const t = useT();
  const api = useApi();
  const { toggleNotification } = useNotification();
  const list = useLoad<AdminCategory[]>('/categories');
  const [name, setName] = React.useState('');
  const [error, setError] = React.useState<string | undefined>();
  const [names, setNames] = React.useState<Record<string, string>>({});

  if (list.error) return <Page.Error />;
  if (!list.data) return <Page.Loading />;
  const rows = list.data;

  const fail = (e: unknown) => toggleNotification({ type: 'danger', message: errorMessage(e) });

  const create = async (event: React.FormEvent) => {
    event.preventDefault();
    setError(undefined);
    try {
      await api.post('/categories', { name });
      setName('');
      list.reload();
    } catch (e) {
      setError(fieldErrors(e).name ?? errorMessage(e));
    }
  };

  const rename = async (c: AdminCategory) => {
    try {
      await api.put(`/categories/${c.documentId}`, { name: names[c.documentId] });
      toggleNotification({ type: 'success', message: t('categories.renamed', 'Category renamed') });
      setNames((n) => {
        const { [c.documentId]: _drop, ...rest } = n;
        return rest;
      });
      list.reload();
    } catch (e) {
      fail(e);
    }
  };

  const move = async (from: number, to: number) => {
    if (to < 0 || to >= rows.length) return;
    const next = [...rows];
    const [item] = next.splice(from, 1);
    next.splice(to, 0, item);
    list.setData(next);
    try {
      list.setData(
        await api.put<AdminCategory[]>('/categories/order', {
          order: next.map((c) => c.documentId),
        })
      );
    } catch (e) {
      fail(e);
      list.reload();
    }
  };

  return (
    <Layouts.Root>
      <Page.Title>{t('categories.title', 'Categories')}</Page.Title>
      <Page.Main>
        <Layouts.Header
          title={t('categories.title', 'Categories')}
          subtitle={t('categories.subtitle', 'Badges are grouped by category, in this order.')}
        />
        <Layouts.Content>
          <Flex direction="column" alignItems="stretch" gap={6}>
            <Box background="neutral0" padding={6} shadow="filterShadow" hasRadius>
              <form onSubmit={create}>
                <Flex gap={2} alignItems="flex-end">
                  <Box flex="1">
                    <TextField
                      name="name"
                      label={t('categories.new', 'New category')}
                      error={error}
                      value={name}
                      onChange={setName}
                    />
                  </Box>
                  <Button type="submit" startIcon={<Plus />} size="L">
                    {t('categories.create', 'Add')}
                  </Button>
                </Flex>
              </form>
            </Box>
            <Table colCount={4} rowCount={rows.length + 1}>
              <TableHead
                columns={[
                  { label: t('badges.col.order', 'Order'), hidden: true },
                  { label: t('badges.col.name', 'Name') },
                  { label: t('categories.slug', 'Slug') },
                  { label: t('categories.badges', 'Badges') },
                ]}
              />
              <Tbody>
                {rows.map((c, i) => (
                  <Tr key={c.documentId} data-category={c.slug}>
                    <Td>
                      <Flex gap={1}>
                        <IconButton
                          variant="ghost"
                          label={t('categories.up', 'Move {name} up', { name: c.name })}
                          disabled={i === 0}
                          onClick={() => move(i, i - 1)}
                        >
                          <ArrowUp />
                        </IconButton>
                        <IconButton
                          variant="ghost"
                          label={t('categories.down', 'Move {name} down', { name: c.name })}
                          disabled={i === rows.length - 1}
                          onClick={() => move(i, i + 1)}
                        >
                          <ArrowDown />
                        </IconButton>
                      </Flex>
                    </Td>
                    <Td>
                      <Flex gap={2}>
                        <TextInput
                          aria-label={t('categories.rename', 'Rename {name}', { name: c.name })}
                          value={names[c.documentId] ?? c.name}
                          onChange={(e: React.ChangeEvent<HTMLInputElement>) =>
                            setNames({ ...names, [c.documentId]: e.target.value })
                          }
                        />
                        {names[c.documentId] !== undefined && names[c.documentId] !== c.name ? (
                          <IconButton
                            label={t('categories.saveName', 'Save the name of {name}', {
                              name: c.name,
                            })}
                            onClick={() => rename(c)}
                          >
                            <Check />
                          </IconButton>
                        ) : null}
                      </Flex>
                    </Td>
                    <Td>
                      <Typography textColor="neutral600">{c.slug}</Typography>
                    </Td>
                    <Td>
                      <Typography>{c.badgeCount}</Typography>
                    </Td>
                  </Tr>
                ))}
              </Tbody>
            </Table>
          </Flex>
        </Layouts.Content>
      </Page.Main>
    </Layouts.Root>
  );
};

export default CategoriesPage;
