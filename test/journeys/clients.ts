/**
 * What a journey's clients need against a listening app: HTTP calls with a member's token, the
 * tenant's slug (its host), and Socket.IO connections on that host, closed with the file.
 */
import type { Socket } from 'socket.io-client'
import type { TestApp } from '../build-test-app.ts'
import { client, connected } from '../../src/platform/realtime/realtime.testing.ts'
import type { TestMember } from '../../src/modules/enrolment/testing.ts'

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export function journeyClients(t: TestApp, url: () => string) {
  const sockets: Socket[] = []
  return {
    call: (method: Method, path: string, token: string, payload?: object) =>
      t.app.inject({ method, url: path, headers: t.auth(token), ...(payload ? { payload } : {}) }),
    async slugOf(tenantId: string): Promise<string> {
      const response = await t.app.inject({
        method: 'GET',
        url: `/v1/tenants/${tenantId}`,
        headers: t.auth(t.operatorToken),
      })
      return (response.json() as { slug: string }).slug
    },
    async connect(slug: string, member: TestMember): Promise<Socket> {
      const socket = await connected(client(url(), { host: `${slug}.localhost`, token: member.token }))
      sockets.push(socket)
      return socket
    },
    closeSockets: () => {
      for (const socket of sockets) socket.close()
    },
  }
}
