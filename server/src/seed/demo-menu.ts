/**
 * The demo restaurant's menu: a neighbourhood grill with a bar. Prices are minor units (cents).
 * Stations route kitchen tickets: grill, fry, cold (salads, desserts, raw bar) and bar.
 * About a quarter of the items are stock-tracked (limited specials, bottled drinks) so
 * OUT_OF_STOCK and 86-ing can be shown on a fresh install.
 */
export interface DemoMenuItem {
  sku: string;
  name: string;
  category: string;
  price: number;
  station: string;
  allergens: string[];
  stock?: number;
}

export const DEMO_MENU: readonly DemoMenuItem[] = [
  // Starters
  { sku: 'ST-WINGS', name: 'Smoked Chicken Wings', category: 'Starters', price: 1250, station: 'fry', allergens: ['celery'] },
  { sku: 'ST-CALAM', name: 'Crispy Calamari', category: 'Starters', price: 1350, station: 'fry', allergens: ['molluscs', 'gluten', 'egg'] },
  { sku: 'ST-BURRATA', name: 'Burrata & Heirloom Tomato', category: 'Starters', price: 1400, station: 'cold', allergens: ['milk'] },
  { sku: 'ST-OYSTER', name: 'Half Dozen Oysters', category: 'Starters', price: 1900, station: 'cold', allergens: ['molluscs'], stock: 24 },
  { sku: 'ST-SOUP', name: 'Soup of the Day', category: 'Starters', price: 850, station: 'grill', allergens: ['celery', 'milk'] },
  { sku: 'ST-NACHOS', name: 'Loaded Nachos', category: 'Starters', price: 1150, station: 'fry', allergens: ['milk'] },
  // Salads
  { sku: 'SA-CAESAR', name: 'Caesar Salad', category: 'Salads', price: 1200, station: 'cold', allergens: ['fish', 'egg', 'milk', 'gluten'] },
  { sku: 'SA-BEET', name: 'Roast Beet & Goat Cheese', category: 'Salads', price: 1250, station: 'cold', allergens: ['milk', 'tree nuts'] },
  { sku: 'SA-NICOISE', name: 'Tuna Niçoise', category: 'Salads', price: 1650, station: 'cold', allergens: ['fish', 'egg', 'mustard'] },
  { sku: 'SA-GREEN', name: 'House Green Salad', category: 'Salads', price: 900, station: 'cold', allergens: ['mustard'] },
  // Mains
  { sku: 'MN-BURGER', name: 'Classic Cheeseburger', category: 'Mains', price: 1750, station: 'grill', allergens: ['gluten', 'milk', 'sesame'] },
  { sku: 'MN-SMASH', name: 'Double Smash Burger', category: 'Mains', price: 1950, station: 'grill', allergens: ['gluten', 'milk', 'sesame', 'mustard'] },
  { sku: 'MN-VBURGER', name: 'Black Bean Burger', category: 'Mains', price: 1650, station: 'grill', allergens: ['gluten', 'soy'] },
  { sku: 'MN-RIBEYE', name: 'Dry-Aged Ribeye 12oz', category: 'Mains', price: 4200, station: 'grill', allergens: ['milk'], stock: 12 },
  { sku: 'MN-STEAKFR', name: 'Steak Frites', category: 'Mains', price: 2900, station: 'grill', allergens: ['milk'] },
  { sku: 'MN-SALMON', name: 'Cedar Plank Salmon', category: 'Mains', price: 2700, station: 'grill', allergens: ['fish'] },
  { sku: 'MN-CHICKEN', name: 'Half Roast Chicken', category: 'Mains', price: 2400, station: 'grill', allergens: ['celery'] },
  { sku: 'MN-FISHCH', name: 'Beer-Battered Fish & Chips', category: 'Mains', price: 2200, station: 'fry', allergens: ['fish', 'gluten'] },
  { sku: 'MN-SHRIMP', name: 'Shrimp & Grits', category: 'Mains', price: 2500, station: 'grill', allergens: ['crustaceans', 'milk'] },
  { sku: 'MN-RISOTTO', name: 'Wild Mushroom Risotto', category: 'Mains', price: 2100, station: 'grill', allergens: ['milk'] },
  { sku: 'MN-SHORTRIB', name: 'Braised Short Rib (special)', category: 'Mains', price: 3400, station: 'grill', allergens: ['celery', 'sulphites'], stock: 8 },
  // Sides
  { sku: 'SD-FRIES', name: 'Hand-Cut Fries', category: 'Sides', price: 550, station: 'fry', allergens: [] },
  { sku: 'SD-SWEETFR', name: 'Sweet Potato Fries', category: 'Sides', price: 650, station: 'fry', allergens: [] },
  { sku: 'SD-RINGS', name: 'Onion Rings', category: 'Sides', price: 650, station: 'fry', allergens: ['gluten', 'milk'] },
  { sku: 'SD-MAC', name: 'Mac & Cheese', category: 'Sides', price: 750, station: 'grill', allergens: ['gluten', 'milk'] },
  { sku: 'SD-SLAW', name: 'Apple Slaw', category: 'Sides', price: 500, station: 'cold', allergens: ['egg', 'mustard'] },
  // Desserts
  { sku: 'DS-BROWNIE', name: 'Warm Brownie Sundae', category: 'Desserts', price: 950, station: 'cold', allergens: ['gluten', 'milk', 'egg', 'tree nuts'] },
  { sku: 'DS-CHEESEC', name: 'New York Cheesecake', category: 'Desserts', price: 900, station: 'cold', allergens: ['gluten', 'milk', 'egg'], stock: 10 },
  { sku: 'DS-SORBET', name: 'Seasonal Sorbet', category: 'Desserts', price: 700, station: 'cold', allergens: [] },
  // Drinks
  { sku: 'DR-LEMON', name: 'House Lemonade', category: 'Drinks', price: 450, station: 'bar', allergens: [] },
  { sku: 'DR-ICETEA', name: 'Iced Tea', category: 'Drinks', price: 400, station: 'bar', allergens: [] },
  { sku: 'DR-COLA', name: 'Mexican Cola (bottle)', category: 'Drinks', price: 450, station: 'bar', allergens: [], stock: 48 },
  { sku: 'DR-IPA', name: 'Local IPA', category: 'Drinks', price: 800, station: 'bar', allergens: ['gluten'] },
  { sku: 'DR-LAGER', name: 'Draft Lager', category: 'Drinks', price: 700, station: 'bar', allergens: ['gluten'] },
  { sku: 'DR-HOUSERED', name: 'House Red (glass)', category: 'Drinks', price: 1100, station: 'bar', allergens: ['sulphites'] },
  { sku: 'DR-RESERVE', name: 'Reserve Cabernet (bottle)', category: 'Drinks', price: 6800, station: 'bar', allergens: ['sulphites'], stock: 6 },
  { sku: 'DR-OLDFASH', name: 'Old Fashioned', category: 'Drinks', price: 1400, station: 'bar', allergens: [] },
  { sku: 'DR-ESPRESSO', name: 'Espresso Martini', category: 'Drinks', price: 1500, station: 'bar', allergens: [] },
];
