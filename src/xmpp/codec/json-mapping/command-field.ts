import { NS_COMMANDS, NS_DATA_FORMS } from '../namespaces.ts';
import { dataFormSchema, formDataSchema, readDataForm, writeDataForm, writeFormData } from './data-forms.ts';
import type { CustomMapping } from './field-spec.ts';
import { isJsonObject, type JsonObject } from './json-value.ts';
import { addChild, elementChildren, findChild, ownText } from './xml-tree.ts';

const STEP_ACTIONS = ['next', 'prev', 'complete'];

/**
 * XEP-0050 ad-hoc commands: a node name to run one, or `{node, action, sessionid, status,
 * actions, note, form, data}`. `data` (the values only) is sent as a submitted form.
 */
export const commandField: CustomMapping = {
  read(parent) {
    const command = findChild(parent, 'command', NS_COMMANDS);
    if (!command) return undefined;
    const out: JsonObject = {};
    for (const name of ['node', 'action', 'sessionid', 'status'])
      if (command.attrs[name] !== undefined) out[name] = command.attrs[name];
    const actions = findChild(command, 'actions', NS_COMMANDS);
    const note = findChild(command, 'note', NS_COMMANDS);
    if (actions) {
      const available: JsonObject = {};
      if (actions.attrs.execute !== undefined) available.execute = actions.attrs.execute;
      for (const action of elementChildren(actions)) available[action.getName()] = true;
      out.actions = available;
    } else if (note) {
      const entry: JsonObject = { text: ownText(note) };
      if (note.attrs.type !== undefined) entry.type = note.attrs.type;
      out.note = entry;
    }
    const form = findChild(command, 'x', NS_DATA_FORMS);
    if (form) out.form = readDataForm(form);
    return out;
  },
  write(parent, value) {
    if (typeof value === 'string') {
      addChild(parent, 'command', NS_COMMANDS, { node: value });
      return;
    }
    if (!isJsonObject(value)) return;
    const attrs: Record<string, string> = {};
    for (const name of ['node', 'action', 'sessionid', 'status']) {
      const attribute = value[name];
      if (typeof attribute === 'string') attrs[name] = attribute;
    }
    const command = addChild(parent, 'command', NS_COMMANDS, attrs);
    const { actions, note } = value;
    if (isJsonObject(actions)) {
      const execute = actions.execute;
      const element = addChild(command, 'actions', NS_COMMANDS, typeof execute === 'string' ? { execute } : {});
      for (const action of STEP_ACTIONS) if (actions[action] === true) addChild(element, action, NS_COMMANDS);
    } else if (isJsonObject(note)) {
      const type = note.type;
      const element = addChild(command, 'note', NS_COMMANDS, typeof type === 'string' ? { type: type } : {});
      if (typeof note.text === 'string') element.t(note.text);
    }
    if (value.form !== undefined) writeDataForm(command, value.form);
    else if (isJsonObject(value.data)) writeFormData(command, value.data, 'submit');
  },
  schema: {
    description: 'XEP-0050 ad-hoc command: a node to run, or the full command',
    oneOf: [
      { type: 'string', description: 'the node of the command to run' },
      {
        type: 'object',
        properties: {
          node: { type: 'string' },
          action: { type: 'string', enum: ['execute', 'cancel', 'prev', 'next', 'complete'] },
          sessionid: { type: 'string' },
          status: { type: 'string', enum: ['executing', 'completed', 'canceled'] },
          actions: {
            type: 'object',
            properties: {
              execute: { type: 'string' },
              next: { type: 'boolean' },
              prev: { type: 'boolean' },
              complete: { type: 'boolean' },
            },
          },
          note: {
            type: 'object',
            properties: { type: { type: 'string', enum: ['info', 'warn', 'error'] }, text: { type: 'string' } },
          },
          form: dataFormSchema,
          data: formDataSchema,
        },
      },
    ],
  },
};
