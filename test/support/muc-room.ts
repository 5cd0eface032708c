import { xml, type XmppUser } from './xmpp-user.ts';

/**
 * `user` joins a MUC room and says each of `bodies` there, in order; resolves once the last one
 * came back, so a MAM archive of the room holds them all (the archive tests' history).
 */
export async function fillRoom(user: XmppUser, room: string, bodies: string[]): Promise<void> {
  const nick = user.jid.split('@')[0]!;
  await user.client.send(
    xml('presence', { to: `${room}/${nick}` }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' })),
  );
  await user.waitFor((s) => s.name === 'presence' && s.attrs.from === `${room}/${nick}`);
  for (const body of bodies)
    await user.client.send(xml('message', { to: room, type: 'groupchat' }, xml('body', {}, body)));
  await user.waitFor((s) => s.name === 'message' && s.getChildText('body') === bodies.at(-1));
}
