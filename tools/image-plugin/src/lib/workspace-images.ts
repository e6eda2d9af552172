/** The image target's executor: how the image target of a project is found whatever the workspace names it (imageTargetName). */
export const IMAGE_EXECUTOR = '@imgmono/image-plugin:image';
