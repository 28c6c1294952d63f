import type { Me, Permission, Role } from '../api/types';

const PERMISSIONS_BY_ROLE: Record<Role, Permission[]> = {
  viewer: ['view_stream'],
  operator: ['view_stream', 'control_camera'],
  admin: ['view_stream', 'control_camera', 'manage_config'],
};

/** `GET /api/me` for a user of the Acme tenant with `role` and its permissions. */
export function me(role: Role, username = 'carol', id = 7): Me {
  return {
    id,
    username,
    email: '',
    first_name: '',
    last_name: '',
    tenant: { id: '0b7e4f0e-2d4a-4c55-9a51-6a3f2b1c0d9e', name: 'Acme' },
    role,
    permissions: PERMISSIONS_BY_ROLE[role],
  };
}
