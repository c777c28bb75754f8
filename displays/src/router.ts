import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';

export const routes: RouteRecordRaw[] = [
  { path: '/', component: () => import('./screens/HomeScreen.vue') },
  { path: '/kitchen', component: () => import('./screens/KitchenScreen.vue') },
  { path: '/host', component: () => import('./screens/HostScreen.vue') },
  { path: '/register', component: () => import('./screens/RegisterScreen.vue') },
  { path: '/:rest(.*)*', redirect: '/' },
];

export const router = createRouter({ history: createWebHistory(), routes });
